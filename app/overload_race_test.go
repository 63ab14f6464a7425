//go:build race

package app

// raceDetector: the race detector slows every goroutine several times over,
// so the pacer's lateness measures the detector rather than the server.
const raceDetector = true
