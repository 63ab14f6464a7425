#!/usr/bin/env bash
# Regenerates the music on hold: a calm arpeggio (C, A minor, F, G) played
# twice, 8 kHz mono 16-bit, made with sox only (no recording, no licence).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for chord in "C4 E4 G4 C5" "A3 C4 E4 A4" "F3 A3 C4 F4" "G3 B3 D4 G4"; do
  for pass in 1 2; do
    for note in $chord; do
      i=$((i + 1))
      sox -n -r 8000 -c 1 -b 16 "$tmp/$(printf %03d $i).wav" \
        synth 0.42 pluck "$note" fade 0.01 0.42 0.2 gain -8
    done
  done
done
sox "$tmp"/*.wav -r 8000 -c 1 -b 16 hold.wav
soxi -D hold.wav
