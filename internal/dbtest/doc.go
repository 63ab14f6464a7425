// Package dbtest gives a test a database of its own: a fresh SQLite data
// directory, or a fresh MySQL/MariaDB database (dropped when the test ends)
// on the server HOTLINE_TEST_MYSQL_DSN names.
//
// It is for tests only: nothing in the server imports it. It must not
// import the store, so that the store's own tests can use it.
package dbtest
