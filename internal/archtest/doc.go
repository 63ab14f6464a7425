// Package archtest keeps the code in the shape docs/architecture.md
// describes: every package says what it owns in a package comment and is
// named on that page, the imports point the way the page says, and the
// pure packages never read the wall clock or start goroutines.
//
// It has no code of its own, only tests, which read the source as text
// (go/parser) and so need no tool beyond the Go toolchain. Nothing may
// import it.
package archtest
