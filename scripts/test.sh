#!/usr/bin/env bash
# Builds the solution, starts a throwaway PostgreSQL and Azurite on free ports, runs every test, stops what it
# started (also on failure or Ctrl-C) and exits non-zero when anything failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$REPO_ROOT"

work="$(mktemp -d /tmp/smarttrip-test.XXXXXX)"
cleanup() { stop_services; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
log "Building (Release)"
dotnet build SmartTrip.sln -c Release --nologo -v quiet -clp:ErrorsOnly

start_postgres "$work"
start_azurite "$work"
export SMARTTRIP_TEST_POSTGRES="$PG_ADMIN_CONNECTION"
export SMARTTRIP_TEST_STORAGE="$STORAGE_CONNECTION"

log "Running tests"
set +e
dotnet test SmartTrip.Tests/SmartTrip.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --results-directory "$work/results" "$@" 2>&1 | tee "$work/test.log" \
  | grep -E --line-buffered '^\s*(Failed|Passed!|Failed!|Error Message|Total tests|  X |Skipped)' || true
status=${PIPESTATUS[0]}
set -e

summary="$(grep -E '(Passed|Failed)!' "$work/test.log" | tail -n 1 || true)"
passed="$(sed -nE 's/.*Passed:[[:space:]]*([0-9]+).*/\1/p' <<<"$summary")"
failed="$(sed -nE 's/.*Failed:[[:space:]]*([0-9]+).*/\1/p' <<<"$summary")"
skipped="$(sed -nE 's/.*Skipped:[[:space:]]*([0-9]+).*/\1/p' <<<"$summary")"
if [ "$status" -ne 0 ] && [ -z "$summary" ]; then
  tail -n 60 "$work/test.log" >&2
fi
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
log "Test command finished in $(( SECONDS - started )) s (exit $status)"
exit "$status"
