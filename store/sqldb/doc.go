// Package sqldb is what the table packages of the store share: the
// database handle (empty until the database has been reached), the
// differences between SQLite and MySQL/MariaDB, the writer's batch
// transaction, and how values are cut and times kept in the tables.
//
// It knows no table and no record. It must not import the store or a table
// package, open a database or run migrations (the store does both).
package sqldb
