#!/usr/bin/env bash
# Load benchmark: builds the server and the driver, raises the open-file
# limit, and runs the hold runs (250, 500, 1000 concurrent calls) and the
# call-setup run (200 calls/s), three times each. Extra arguments go to
# the driver, e.g.  bench/run.sh -calls 1000 -reps 1 -setup-rate 0
# Needs Go and SIPp (apt-get install -y sip-tester). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1000 calls hold 1000 RTP sockets in the server; SIPp and the driver need
# a few more. Root may raise the hard limit; anyone may raise the soft one.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt 4096 ]; then
  echo "bench: open-file limit $(ulimit -n) is too low for 1000 calls" >&2
  exit 1
fi
command -v sipp >/dev/null || { echo "bench: sipp not found (apt-get install -y sip-tester)" >&2; exit 1; }

out="${BENCH_OUT:-$(mktemp -d -t hotline-bench-XXXXXX)}"
mkdir -p "$out"
go build -o "$out/hotline" ./cmd/hotline
go build -o "$out/loadtest" ./bench/loadtest

echo "bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -1), open files $(ulimit -n)"
exec "$out/loadtest" -server "$out/hotline" -config bench/hotline-bench.yaml \
  -scenario bench/sipp/hold.xml -work "$out/runs" "$@"
