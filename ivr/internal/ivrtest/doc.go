// Package ivrtest holds what the tests of ivr and ivr/interp share: reading
// a whole configuration text the way the server's loader does, the demo
// flow, fixed instants, and flow texts that one package parses and the
// other runs.
//
// It is for tests only: production code must not import it. It must not
// run a flow (ivr/interp's tests do that with their own harness), and it
// holds no assertions of its own beyond failing on a broken fixture.
package ivrtest
