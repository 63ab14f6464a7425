// Package acdtest holds the configuration fixture that the tests of acd
// and acd/acdconfig both start from.
//
// It is for tests only: production code must not import it. It imports
// acd/acdconfig alone (never acd), so that acd's own tests can use it, and
// it decides nothing: each test mutates its own copy.
package acdtest
