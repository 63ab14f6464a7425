// Package prack is the caller's INVITE before its final response, as RFC
// 3262 has it: whether its provisional responses go reliably, sending
// one and retransmitting it until its PRACK comes, and matching a PRACK's
// RAck to the one pending.
//
// It owns that per-INVITE state only. It must not answer the PRACK
// request, decide which provisional responses to send, or keep the
// dialogs: the endpoint does.
package prack
