// Package sticky is the ACD's book of sticky waits: callers who asked for
// their preferred agent (the one who handled their last call), the calls
// set aside for that agent while the grace time runs, and what became of
// each preference (hit, miss, expired), told to an observer for the
// metrics.
//
// A parked call stays in its queue's waiting list (position,
// announcements and MaxWait all apply) but not in the ready list, so
// routing passes over it and the callers behind it are served by the other
// agents as usual.
//
// It owns the requests and the parked waits. It must not route, ring an
// agent, emit events or arm timers: the ACD (package acd) asks it which
// wait is due, arms the wait's timer and does the offering.
package sticky
