#!/usr/bin/env bash
# Runs SmartTrip locally: installs what is missing, starts a throwaway PostgreSQL (unless
# ConnectionStrings__SmartTripDb is set) and Azurite (unless AzureWebJobsStorage is set), migrates, seeds the
# catalogue with dates shifted to today, then serves the API on http://127.0.0.1:7071/api with `func start`
# when Azure Functions Core Tools are installed, otherwise with the development host. Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$REPO_ROOT"

PORT="${PORT:-7071}"
state="$REPO_ROOT/.local"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$REPO_ROOT" 2>/dev/null; then
  state="/tmp/smarttrip-run"   # the postgres user cannot reach the checkout
fi

trap stop_services EXIT
trap 'exit 130' INT TERM

log "Building"
dotnet build SmartTrip.sln -c Release --nologo -v quiet -clp:ErrorsOnly
cli=(dotnet "$REPO_ROOT/SmartTrip.Cli/bin/Release/net10.0/smarttrip.dll")

if [ -z "${ConnectionStrings__SmartTripDb:-}" ]; then
  start_postgres "$state"
  create_database smarttrip
  export ConnectionStrings__SmartTripDb="Host=127.0.0.1;Port=$PG_PORT;Database=smarttrip;Username=smarttrip;Password=smarttrip"
fi
if [ -z "${AzureWebJobsStorage:-}" ]; then
  start_azurite "$state"
  export AzureWebJobsStorage="$STORAGE_CONNECTION"
fi

"${cli[@]}" migrate
"${cli[@]}" seed --shift-dates-to-today

if command -v func >/dev/null 2>&1; then
  log "Starting the Functions host (func start) on http://127.0.0.1:$PORT/api"
  (cd SmartTrip.Functions/bin/Release/net10.0 && func start --port "$PORT" --cors "${Cors__AllowedOrigins:-http://localhost:3000}" --cors-credentials)
else
  log "Azure Functions Core Tools not found: starting the development host on http://127.0.0.1:$PORT/api"
  log "Metrics dashboard: http://127.0.0.1:$PORT/dashboard/ (function key: ${DevHost__FunctionKey:-dev-function-key})"
  "${cli[@]}" serve --urls "http://127.0.0.1:$PORT"
fi
