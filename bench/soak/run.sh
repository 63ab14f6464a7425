#!/usr/bin/env bash
# Soak benchmark: builds the server and the driver and keeps 200 IVR calls
# up with constant churn for 30 minutes (see bench/README.md). Extra
# arguments go to the driver, e.g.  bench/soak/run.sh -duration 5m -calls 50
# Needs Go and SIPp (apt-get install -y sip-tester). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Each call holds an RTP and an RTCP socket in the server and two in SIPp.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
command -v sipp >/dev/null || { echo "soak: sipp not found (apt-get install -y sip-tester)" >&2; exit 1; }

out="${SOAK_OUT:-$(mktemp -d -t hotline-soak-XXXXXX)}"
mkdir -p "$out"
go build -o "$out/hotline" ./cmd/hotline
go build -o "$out/soak" ./bench/soak

echo "soak: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, open files $(ulimit -n)"
exec "$out/soak" -server "$out/hotline" -config bench/hotline-bench.yaml \
  -scenario bench/soak/churn.xml -work "$out/run" "$@"
