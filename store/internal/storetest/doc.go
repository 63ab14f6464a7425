// Package storetest opens a record store for the tests of the store's
// table packages, on SQLite and (with HOTLINE_TEST_MYSQL_DSN) MySQL: the
// tables are reached the way the server reaches them, saves through the
// store's writer included.
//
// It is for tests only: nothing in the server imports it. It imports the
// store, so the store's own tests cannot use it (they use dbtest).
package storetest
