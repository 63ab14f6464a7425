// Package resample converts 16-bit audio between two sample rates that
// differ by a factor of two (the 8 kHz of G.711 and the 16 kHz of G.722),
// with a half-band low-pass filter that keeps the telephone band and stops
// what would fold into it.
//
// It owns the filter and its per-stream history only: no codecs, no
// framing, no I/O, no clock, and no allocation after construction. Each
// Upsampler or Downsampler belongs to one stream and one goroutine.
package resample
