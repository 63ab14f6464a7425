// Package shiftsql keeps the agents' planned shifts and their breaks
// (table shifts): the rows, their reads, and imports stored whole or not
// at all.
//
// It is given the database (sqldb.Handle) and writes to it directly, not
// through the store's writer: a supervisor saving a schedule waits to know
// it is saved. What a shift may look like belongs to package workforce. It
// must not import the store, open a database or run migrations.
package shiftsql
