// Package callback runs virtual hold: a waiting caller keeps their place
// in the queue and hangs up; when their turn comes, the agent is connected
// first, then the customer is dialled through the gateway, with retries
// and a give-up policy. Pending callbacks are saved and survive a restart.
//
// Against toll fraud it dials only numbers that called in from a trusted
// network, that pass the gateway's allow-list, within its caps (package
// dialpolicy), checked when a callback is accepted and again before every
// dial; each refusal is counted and audited.
//
// It plugs into the call path through a per-call object (Service.Join)
// whose hooks the call path calls while the caller waits: Refs when it
// announces, Digit for each key. It owns its jobs, its ledger and its
// goroutines, and asks the ACD only through package queueing.
//
// It must not: import the call path or another feature; take anyone
// else's lock; dial a number that did not pass the policy.
package callback
