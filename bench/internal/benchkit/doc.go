// Package benchkit holds what the benchmark drivers (bench/loadtest and
// bench/soak) share: their common flags, starting and stopping the hotline
// binary, driving a SIPp process, reading its statistics, scraping
// /metrics and reading a process's memory from /proc.
package benchkit
