#!/usr/bin/env bash
# Builds the solution, starts a throwaway PostgreSQL and Azurite on free ports (and installs Chromium and
# playwright-core for the dashboard test when missing), runs every test, stops what it
# started (also on failure or Ctrl-C) and exits non-zero when anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$REPO_ROOT"

work="$(mktemp -d /tmp/smarttrip-test.XXXXXX)"
cleanup() { stop_services; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
ensure_api_reference
log "Building (Release)"
dotnet build SmartTrip.sln -c Release --nologo -v quiet -clp:ErrorsOnly

log "Building and linting the Bicep templates (warnings fail the run)"
for template in infra/main.bicep; do
  diagnostics="$(scripts/bicep.sh build "$template" --outfile "$work/$(basename "$template" .bicep).json" 2>&1)" || { echo "$diagnostics" >&2; exit 1; }
  diagnostics+="$(scripts/bicep.sh lint "$template" 2>&1)" || { echo "$diagnostics" >&2; exit 1; }
  if [ -n "$diagnostics" ]; then
    echo "$diagnostics" >&2
    die "$template has Bicep diagnostics"
  fi
done

start_postgres "$work"
start_azurite "$work"
export SMARTTRIP_TEST_POSTGRES="$PG_ADMIN_CONNECTION"
export SMARTTRIP_TEST_STORAGE="$STORAGE_CONNECTION"
ensure_browser
export SMARTTRIP_TEST_CHROMIUM="$BROWSER_PATH"
export SMARTTRIP_TEST_ARTIFACTS="$REPO_ROOT/artifacts" # the dashboard screenshot

log "Running tests"
set +e
dotnet test SmartTrip.Tests/SmartTrip.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=minimal" --results-directory "$work/results" "$@" 2>&1 | tee "$work/test.log"
status=${PIPESTATUS[0]}
set -e

count() { sed -nE "s/^[[:space:]]*$1:[[:space:]]*([0-9]+).*/\\1/p" "$work/test.log" | tail -n 1; }
total="$(count 'Total tests')"
if [ -z "$total" ]; then  # the older one-line summary: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12"
  line="$(grep -E '(Passed|Failed)!' "$work/test.log" | tail -n 1)"
  passed="$(sed -nE 's/.*Passed:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
  failed="$(sed -nE 's/.*Failed:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
  skipped="$(sed -nE 's/.*Skipped:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
else
  passed="$(count Passed)"; failed="$(count Failed)"; skipped="$(count Skipped)"
fi
if [ "$status" -eq 0 ] && [ "${passed:-0}" -eq 0 ]; then
  echo "error: no test ran" >&2
  status=1
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ -f artifacts/dashboard.png ] && log "Dashboard screenshot: artifacts/dashboard.png"
log "Test command finished in $(( SECONDS - started )) s (exit $status)"
exit "$status"
