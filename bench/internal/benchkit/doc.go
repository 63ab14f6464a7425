// Package benchkit holds what the benchmark drivers (bench/loadtest and
// bench/soak) share: their common flags, starting and stopping the hotline
// binary, driving a SIPp process, reading its statistics, scraping
// /metrics and reading a process's memory from /proc.
//
// It sees the server only from outside, as a process and its HTTP and SIP
// ports: it must not import the server's packages, so the drivers measure
// the binary that ships.
package benchkit
