// Package wideband joins G.722 legs to an engine that carries every leg's
// audio as narrowband µ-law: Receiver turns received G.722 into µ-law
// frames, Sender turns the µ-law (or a prompt's 16 kHz copy) a stream is
// about to send into G.722, each keeping its codec and filter state per
// stream.
//
// It owns that per-stream state only. It must not know sockets, timing
// or SIP, and must not allocate per packet: a read loop and the pacer call
// it for every frame.
package wideband
