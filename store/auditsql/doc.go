// Package auditsql keeps the audit log (table audit_log): who did what,
// when, from where and how it ended; the entries' ids, the writer's
// statement for a spooled entry, and the filtered, newest-first reads.
//
// It is given the database (sqldb.Handle), the store's clock and a way to
// hand an entry to the store's writer; an entry never goes to the database
// directly. It must not import the store, open a database or run
// migrations.
package auditsql
