// Package callbacksql keeps the pending callbacks (table callbacks) so that
// a restart does not lose a customer waiting to be called back: the rows,
// the saves and ends handed to the store's writer in the order they were
// made, and the ledger of what the writer has not written yet, which
// PendingCallbacks answers from as if it had.
//
// It is given the database (sqldb.Handle) and a way to hand a save or an
// end to the store's writer; neither goes to the database directly. Who
// may be called back belongs to package callback and dialpolicy. It must
// not import the store, open a database or run migrations.
package callbacksql
