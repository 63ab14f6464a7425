// Package mix holds the audio paths between the legs of a call: Relay,
// the FIFO through which one leg hears its bridged peer (re-chunked into
// 20 ms frames, transcoded between the G.711 laws, its delay bounded), and
// Mixer, which sums the three parties of a supervised call as the monitor
// Mode lets each one hear the others.
//
// It owns samples and routing only. It must not know streams, sockets or
// SIP, read the clock or start goroutines: the read loops push into it and
// the pacer pops from it, so every method is quick and does not allocate.
package mix
