// Package webtest holds the fakes the tests of web and of its
// sub-packages share: the controls behind the routes, answering as the
// real features do. It is for tests only and must not be imported by
// server code.
package webtest
