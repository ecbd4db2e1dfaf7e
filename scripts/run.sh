#!/usr/bin/env bash
# Runs SmartTrip locally: installs what is missing, starts a throwaway PostgreSQL (unless
# ConnectionStrings__SmartTripDb is set) and Azurite with its blob, queue and table services (unless AzureWebJobsStorage
# is set), applies the settings of local.settings.sample.json that the environment does not set, migrates, seeds the
# catalogue with dates shifted to today, then serves the API on http://127.0.0.1:7071/api under a real Functions host
# when there is one (SMARTTRIP_FUNCTIONS_HOST, or Core Tools' `func` on PATH; see scripts/functions-host.sh), otherwise
# under the development host. Ctrl-C stops everything.
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

ensure_api_reference
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

# Every other setting the app reads, from the sample, unless the environment already has it (as under Core Tools,
# environment variables win). Trigger schedules come from here: a real host disables a timer whose setting is unset.
while IFS= read -r -d '' assignment; do
  name="${assignment%%=*}"
  [ -n "${!name+set}" ] || export "$assignment"
done < <(node -e '
  const values = require(process.argv[1]).Values;
  for (const [k, v] of Object.entries(values))
    if (k !== "ConnectionStrings__SmartTripDb" && k !== "AzureWebJobsStorage") process.stdout.write(`${k}=${v}\0`);
' "$REPO_ROOT/local.settings.sample.json")

"${cli[@]}" migrate
"${cli[@]}" seed --shift-dates-to-today

if [ -n "${SMARTTRIP_FUNCTIONS_HOST:-}" ] || command -v func >/dev/null 2>&1; then
  log "Starting the Functions host (${SMARTTRIP_FUNCTIONS_HOST:-func start}) on http://127.0.0.1:$PORT/api"
  log "Function key: $DevHost__FunctionKey; master key (admin API): $DevHost__MasterKey"
  mkdir -p "$state/host"
  FUNCTIONS_SECRETS_PATH="$state/host/secrets" FUNCTIONS_STATE_DIR="$state/host" \
    scripts/functions-host.sh SmartTrip.Functions/bin/Release/net10.0 "$PORT"
else
  log "Azure Functions Core Tools not found: starting the development host on http://127.0.0.1:$PORT/api"
  log "Metrics dashboard: http://127.0.0.1:$PORT/dashboard/ (function key: ${DevHost__FunctionKey:-dev-function-key})"
  "${cli[@]}" serve --urls "http://127.0.0.1:$PORT"
fi
