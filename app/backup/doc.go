// Package backup copies the record database of a data directory to a
// file without stopping a running server (SQLite only; MySQL has its own
// tools). It is what `hotline backup` runs.
//
// It must not open the whole store (that would replay and rewrite a
// running server's spool from a second process), create a database, a
// data directory or the target when there is nothing to copy, or import
// app.
package backup
