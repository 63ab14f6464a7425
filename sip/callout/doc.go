// Package callout places the calls the server makes to customers on
// their behalf: callbacks (virtual hold). It keeps the registry of tickets,
// so that the server dials out only to numbers that called in, vets the
// numbers, limits the calls in progress through the gateway, and chooses
// the way out: the configured gateway, or the trunks that are up in order,
// failing over when a trunk rather than the customer failed the call.
//
// It owns the tickets and the choice of route. It must not decide who may
// be called back (the dial check and the policy are the caller's), nor
// speak SIP itself: the endpoint's DialOut places each attempt.
package callout
