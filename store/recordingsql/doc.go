// Package recordingsql keeps the rows of the calls' quality recordings
// (table recordings): the row a recording leaves, the listings, the
// retention sweeper's read and the delete.
//
// It is given the database (sqldb.Handle) and a way to hand a row to the
// store's writer, so that an outage delays a recording's row but does not
// lose it. The files themselves belong to the recording feature. It must
// not import the store, open a database or run migrations.
package recordingsql
