// Package record writes two channels of received G.711 audio, each packet
// stamped with its arrival time, as one stereo 16-bit 8 kHz WAV file: a
// preallocated intake that read loops copy into, a timeline that aligns
// the channels by arrival, and one writer goroutine per recording.
//
// It owns the file and its timeline. It must not know streams, bridges or
// calls (which leg is which channel is its caller's business), and must
// never make the caller of Add wait on the disk: a full intake drops and
// counts instead.
package record
