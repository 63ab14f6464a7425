// Package strategy holds the ACD's routing strategies, one file each,
// behind the Strategy interface: longest idle, round robin, fewest calls,
// least talk time, ring all, random and skills based. Each keeps its own
// index of a queue's eligible agents (Candidate), updated as they come and
// go, so that choosing who rings costs far less than a scan of every
// agent.
//
// It owns those indexes only. It must not know queues, calls or agent
// states (the ACD decides who is eligible and adds or removes them), read
// the clock or start goroutines.
package strategy
