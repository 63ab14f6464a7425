// Package care runs the customer-care features around a queued call: the
// post-call survey, the sticky agent (a returning caller is offered to the
// agent of their last call), repeat-complainer routing (a caller with many
// complaints this month goes to the senior queue) and quality recording
// (stereo WAV, one file per call across transfers, retention sweep).
//
// It plugs into the call path through a per-call object (Service.Join)
// whose methods are the hooks the call path calls: BeforeQueue, Enqueue
// (the preferred agent), OnBridge, AgentChanged, Finish and AfterTalk. It
// owns its settings (swapped whole by Reload), its caches and its
// goroutines (recording saves, the sweeper).
//
// It must not: import the call path, queueing or another feature; take
// anyone else's lock; keep a caller waiting on a slow database (every
// look-up made while a caller waits is bounded and falls back to normal
// routing); fail a call because a recording could not be made.
package care
