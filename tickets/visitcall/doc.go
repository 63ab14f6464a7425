// Package visitcall makes a ticket's return visit over SIP: it dials the
// customer through the callback gateway or its trunks, with the callback
// machinery's registry, allow-list, do-not-call list and caps checked
// again before every dial, and runs the short satisfaction survey on the
// answered leg. It also rings an agent for a ticket's callback from the
// agent panel.
//
// What it must not do: decide when a visit is due or what its answers
// change (package tickets does), touch the store, or take the tickets
// service's lock.
package visitcall
