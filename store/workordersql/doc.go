// Package workordersql keeps the fault reports filed from the IVR (table
// work_orders): their numbers (the receiver's, the per-day sequence, or an
// outage number that needs no database), the saves and the reads.
//
// It is given the database (sqldb.Handle) and a way to hand a work order
// to the store's writer: a save goes to the database while it answers and
// to the spool when it does not, because a caller is waiting for the
// number. It must not import the store, open a database or run migrations.
package workordersql
