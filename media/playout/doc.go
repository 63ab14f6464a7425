// Package playout holds what a stream plays: Prompt, a piece of audio
// encoded once into both G.711 laws (and, on demand, a 16 kHz copy for
// G.722 legs) and cut into 20 ms frames, and Playlist, the cursor that
// walks a sequence of prompts frame by frame, once or looped.
//
// It owns immutable audio and a cursor. It must not know streams,
// sockets or timing: the pacer asks for the next frame when one is due.
package playout
