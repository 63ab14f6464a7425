// Package webkit holds the small pieces every part of the HTTP side
// shares: API tokens and roles and the bearer check, the actor slot the
// audit log reads, the errors the controls return and the statuses they
// map to, JSON answers and strict body decoding, the pages' CSRF header
// check, the sessions and login throttle of the agent panel and the
// supervisor console, and the assembly of those two pages from their
// files.
//
// It knows no route, page or control of its own. It must not import web
// or any of its sub-packages (they all import it), and it never reads the
// clock itself: sessions and the throttle take theirs from the caller.
package webkit
