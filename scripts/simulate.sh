#!/usr/bin/env bash
# A simulated end-to-end run through the real API (docs/experiments.md §9-§10): starts PostgreSQL, Azurite and the API
# as scripts/run.sh does (a real Functions host when SMARTTRIP_FUNCTIONS_HOST is set or Core Tools' `func` is on PATH,
# else the development host), creates and starts the interleaving experiment of EXPERIMENT (default
# benchmarks/simulation/interleaving.json), lets SEARCHES (default 2000) simulated searches run through the API, the
# events queue and the drain, then prints the experiment's results beside the truth of each variant.
#
#   scripts/simulate.sh
#   SEARCHES=5000 SMARTTRIP_FUNCTIONS_HOST=../shared/tools/realhost/run.sh scripts/simulate.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
EXPERIMENT="$(realpath "${EXPERIMENT:-$REPO_ROOT/benchmarks/simulation/interleaving.json}")"
cd "$REPO_ROOT"

PORT="${PORT:-7072}"
SEARCHES="${SEARCHES:-2000}"
work="$(mktemp -d /tmp/smarttrip-simulate.XXXXXX)"
host_pid=""
cleanup() {
  [ -z "$host_pid" ] || kill -- "-$host_pid" 2>/dev/null || kill "$host_pid" 2>/dev/null || true
  stop_services
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_postgres "$work"
create_database smarttrip
export ConnectionStrings__SmartTripDb="Host=127.0.0.1;Port=$PG_PORT;Database=smarttrip;Username=smarttrip;Password=smarttrip"
start_azurite "$work"
export AzureWebJobsStorage="$STORAGE_CONNECTION"

log "Starting the API on port $PORT (scripts/run.sh; its log: $work/host.log)"
set -m
PORT="$PORT" scripts/run.sh >"$work/host.log" 2>&1 &
host_pid=$!
set +m
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { tail -n 40 "$work/host.log"; die "the API did not start"; }
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null || die "the API did not answer within 4 minutes"

cli=(dotnet "$REPO_ROOT/SmartTrip.Cli/bin/Release/net10.0/smarttrip.dll")
created="$("${cli[@]}" experiment create "$EXPERIMENT")"
echo "$created"
id="$(sed -E 's/^Created experiment ([0-9]+) .*/\1/' <<<"$created")"
"${cli[@]}" experiment start "$id"
"${cli[@]}" simulate traffic --url "http://127.0.0.1:$PORT" --searches "$SEARCHES" --experiment "$id"
"${cli[@]}" experiment results "$id"
