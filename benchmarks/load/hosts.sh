#!/usr/bin/env bash
# The HTTP load figures of docs/benchmarks.md, against a running API (./scripts/run.sh, under either host):
#   benchmarks/load/hosts.sh http://127.0.0.1:7071
# After a 20-second warm-up (JIT and tiered compilation), each line runs wrk for DURATION seconds (default 20):
# the recommendation mix at 16 connections and at 1, with a browser's Accept-Encoding and with identity, the mix
# offered at a fixed RATE (default 800 requests/s, below both hosts' saturation on 2 cores) to read latency at a
# given load, and GET /api/v2/occurrences?limit=100 at 16 connections with a browser's Accept-Encoding.
set -euo pipefail
url="${1:?API base URL, e.g. http://127.0.0.1:7071}"
duration="${DURATION:-20}"
rate="${RATE:-800}"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v wrk >/dev/null || { echo "wrk not found (Debian package wrk)" >&2; exit 2; }
browser="gzip, deflate, br, zstd"

summary() { # label, then wrk's output on stdin
  awk -v label="$1" '
    /Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /Transfer\/sec/ { tx = $2 }
    END { printf "%-58s %9s req/s  p50 %8s  p99 %8s  %s/s\n", label, rps, p50, p99, tx }'
}
mix() { # connections, accept-encoding, label
  WRK_ACCEPT_ENCODING="$2" WRK_CONNECTIONS="$1" wrk -t"$(( $1 > 1 ? 2 : 1 ))" -c"$1" -d"${duration}s" --latency \
    -s benchmarks/load/recommendations.lua "$url" | summary "$3"
}

WRK_ACCEPT_ENCODING="$browser" wrk -t2 -c16 -d20s -s benchmarks/load/recommendations.lua "$url" >/dev/null
mix 16 "$browser" "recommendation mix, 16 connections, browser encoding"
mix 16 "$browser" "recommendation mix, 16 connections, browser encoding (again)"
mix 1 "$browser" "recommendation mix, 1 connection, browser encoding"
mix 16 identity "recommendation mix, 16 connections, identity"
mix 1 identity "recommendation mix, 1 connection, identity"
WRK_RATE="$rate" WRK_THREADS=2 WRK_ACCEPT_ENCODING="$browser" wrk -t2 -c16 -d"${duration}s" --latency \
  -s benchmarks/load/recommendations.lua "$url" | summary "recommendation mix, 16 connections, $rate req/s offered"
wrk -t2 -c16 -d"${duration}s" --latency -H "Accept-Encoding: $browser" "$url/api/v2/occurrences?limit=100" \
  | summary "GET /api/v2/occurrences?limit=100, 16 connections, browser"
