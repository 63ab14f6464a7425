// Package reviewsql keeps the quality reviews of recorded calls (table
// reviews), one per call, their acknowledgement by the agent, and the
// read of the recorded calls a review may pick from.
//
// It is given the database (sqldb.Handle) and writes to it directly, not
// through the store's writer: a review is a supervisor's action, who waits
// to know it is saved. What a form scores belongs to package quality. It
// must not import the store, open a database or run migrations.
package reviewsql
