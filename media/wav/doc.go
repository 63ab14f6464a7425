// Package wav reads and writes RIFF/WAVE files: prompts in 16-bit PCM,
// A-law or µ-law, mono or stereo, read into 16-bit samples; 16-bit PCM
// written with a canonical 44-byte header.
//
// It owns the file format only. It must not resample, know codecs beyond
// the G.711 laws a WAV may hold, or open files: callers hand it readers
// and writers.
package wav
