// Package noticesql keeps the outage notices (table notices): the rows,
// which areas and times a notice covers, and their reads and writes.
//
// It is given the database (sqldb.Handle) and writes to it directly, not
// through the store's writer: a supervisor creating a notice waits to know
// it is saved, and its id comes from the database. It must not import the
// store, open a database or run migrations.
package noticesql
