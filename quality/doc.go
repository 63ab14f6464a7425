// Package quality owns the quality review of recorded calls: the
// evaluation forms and how a filled form is scored, the monthly review
// queue (a random sample of each agent's recorded calls plus every call
// flagged by a low survey score or a complaint), the saved reviews, the
// agents' acknowledgements and the monitoring score per agent, team and
// month.
//
// Scoring and sampling are pure (no clock, no I/O). The Service reads
// recordings and flags from the store and writes reviews to it; it is
// not on any call's path, so a review is written to the database at once
// and refused with ErrUnavailable while the database is down. It must not
// import the call path, queueing or another feature.
package quality
