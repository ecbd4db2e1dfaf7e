#!/usr/bin/env bash
# Runs SmartTrip.Functions' build output under a real Azure Functions host, as `func start` does, with the current
# environment as the app settings and the function and master keys of the development host.
# Usage: scripts/functions-host.sh APP_OUTPUT_DIR PORT
#
# SMARTTRIP_FUNCTIONS_HOST chooses the host:
#   func (or a path to it)  Azure Functions Core Tools: `func start` in APP_OUTPUT_DIR (keys are not checked locally)
#   any other command       run as COMMAND APP_OUTPUT_DIR PORT, e.g. the host built from source by
#                           shared/tools/realhost/build.sh: SMARTTRIP_FUNCTIONS_HOST=../shared/tools/realhost/run.sh
# Unset: Core Tools when `func` is on PATH.
# FUNCTIONS_SECRETS_PATH (default: a new folder under /tmp) receives host.json with the keys DevHost__FunctionKey
# (default dev-function-key) and DevHost__MasterKey (default dev-master-key), which the host reads at start.
set -euo pipefail
app="$(cd "${1:?APP_OUTPUT_DIR}" && pwd)"
port="${2:?PORT}"
host="${SMARTTRIP_FUNCTIONS_HOST:-}"
if [ -z "$host" ]; then
  command -v func >/dev/null 2>&1 || { echo "no Functions host: install Core Tools or set SMARTTRIP_FUNCTIONS_HOST" >&2; exit 2; }
  host=func
fi

export FUNCTIONS_SECRETS_PATH="${FUNCTIONS_SECRETS_PATH:-$(mktemp -d /tmp/smarttrip-host-secrets.XXXXXX)}"
mkdir -p "$FUNCTIONS_SECRETS_PATH"
cat >"$FUNCTIONS_SECRETS_PATH/host.json" <<JSON
{
  "masterKey": { "name": "master", "value": "${DevHost__MasterKey:-dev-master-key}", "encrypted": false },
  "functionKeys": [ { "name": "default", "value": "${DevHost__FunctionKey:-dev-function-key}", "encrypted": false } ],
  "systemKeys": [],
  "hostName": "127.0.0.1:$port",
  "instanceId": "$(cat /proc/sys/kernel/random/uuid | tr -d -)",
  "source": "runtime",
  "decryptionKeyId": ""
}
JSON

if [ "$(basename "$host")" = func ]; then
  cd "$app"
  exec "$host" start --port "$port" --cors "${Cors__AllowedOrigins:-http://localhost:3000}" --cors-credentials
fi
exec "$host" "$app" "$port"
