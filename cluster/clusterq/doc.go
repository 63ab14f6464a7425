// Package clusterq is the clustered implementation of queueing.Queueing:
// the call path of a node talks to it exactly as to the standalone
// runtime, and it carries each command through the cluster's command
// stream, the one order every node's ACD applies (package cluster).
//
// How it works on a node:
//
//   - Commands (queueing.Enqueue, Abandon, TalkEnded, agent log-in…) are
//     mapped onto routing commands and stored in the stream. Every node
//     follows the stream with its own router, so the node that sent a
//     command learns the ACD's answer from its own router, applying the
//     same command to the same state, without a reply message; Do returns
//     that answer.
//   - The decisions this node's router makes for this node become the
//     callers' mailbox actions (queued, announce, connect, leave…); an
//     offer makes this node ring the agent's phones, wherever they registered (the Dialer
//     reads the shared registrations), and report the outcome as an
//     offer_result command. The answered leg stays here and is bridged
//     here: a call's media never leaves the node that answered it.
//   - Reads (agents, queues, pending callbacks) come from the node's own
//     router, which has applied the whole cluster's stream: every node
//     shows the same queues and agents.
//   - The ACD's events go to the node they belong to (the caller's node
//     for a call's events, the agent's node for its state), so each is
//     recorded once in the cluster.
//   - A reload that began on this node and changes agents or queues goes
//     into the stream as a reload command (Reload, Converge), so every
//     router changes them at the same point; a reload followed from
//     another node takes only the call path's settings (FollowReload).
//
// What it must not do: decide routing (the router does, the same on every
// node, from the stream alone), touch SIP or media (agent legs come
// through queueing.Dialer), block the goroutine that reads the stream,
// or take another part's lock.
package clusterq
