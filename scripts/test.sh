#!/usr/bin/env bash
# The test command. Checks the formatting (dotnet format), builds, lints the Bicep templates, runs the unit tests
# alone (no services), then starts a throwaway PostgreSQL and Azurite on free ports (and Chromium and playwright-core
# for the browser tests when missing), runs the integration tests, stops what it started (also on failure or Ctrl-C)
# and exits non-zero when anything failed.
#
#   ./scripts/test.sh                 everything (what CI runs)
#   ./scripts/test.sh --fast          the unit tests only: no services, no format or Bicep check
#   ./scripts/test.sh --filter X      one dotnet test run of the tests matching X, with the services started
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$REPO_ROOT"

fast=false
if [ "${1:-}" = "--fast" ]; then
  fast=true
  shift
fi

work="$(mktemp -d /tmp/smarttrip-test.XXXXXX)"
cleanup() { stop_services; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$SECONDS
passed=0 failed=0 skipped=0 status=0

# One dotnet test run; adds its counts to the totals and its exit status to $status.
run_tests() {
  local name="$1"
  shift
  local log_file="$work/$name.log"
  set +e
  dotnet test SmartTrip.Tests/SmartTrip.Tests.csproj -c Release --no-build --nologo \
    --logger "console;verbosity=minimal" --results-directory "$work/results-$name" "$@" 2>&1 | tee "$log_file"
  local run_status=${PIPESTATUS[0]}
  set -e
  count() { sed -nE "s/^[[:space:]]*$1:[[:space:]]*([0-9]+).*/\\1/p" "$log_file" | tail -n 1; }
  local line p f s
  if [ -n "$(count 'Total tests')" ]; then
    p="$(count Passed)" f="$(count Failed)" s="$(count Skipped)"
  else  # the one-line summary: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12"
    line="$(grep -E '(Passed|Failed)!' "$log_file" | tail -n 1)"
    p="$(sed -nE 's/.*Passed:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
    f="$(sed -nE 's/.*Failed:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
    s="$(sed -nE 's/.*Skipped:[[:space:]]*([0-9]+).*/\1/p' <<<"$line")"
  fi
  if [ "$run_status" -eq 0 ] && [ "${p:-0}" -eq 0 ]; then
    echo "error: no test ran ($name)" >&2
    run_status=1
  fi
  log "$name: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped in $(( SECONDS - phase )) s"
  passed=$(( passed + ${p:-0} )) failed=$(( failed + ${f:-0} )) skipped=$(( skipped + ${s:-0} ))
  [ "$run_status" -eq 0 ] || status=$run_status
}

finish() {
  echo "$passed passed, $failed failed, $skipped skipped"
  [ -f artifacts/dashboard.png ] && log "Dashboard screenshot: artifacts/dashboard.png"
  log "Test command finished in $(( SECONDS - started )) s (exit $status)"
  exit "$status"
}

if ! $fast; then
  ensure_api_reference
fi
log "Building (Release)"
dotnet build SmartTrip.sln -c Release --nologo -v quiet -clp:ErrorsOnly

if $fast; then
  phase=$SECONDS
  # A filter of your own narrows the unit tests: ./scripts/test.sh --fast --filter "FullyQualifiedName~Auth"
  filter="Category=Unit"
  if [ "${1:-}" = "--filter" ] && [ -n "${2:-}" ]; then
    filter="Category=Unit&(${2})"
    shift 2
  fi
  run_tests unit --filter "$filter" "$@"
  finish
fi

log "Checking the formatting (dotnet format --verify-no-changes; fix with: dotnet format SmartTrip.sln)"
dotnet format SmartTrip.sln --verify-no-changes --no-restore -v quiet || die "the code is not formatted as .editorconfig says"

log "Building and linting the Bicep templates (warnings fail the run)"
for template in infra/main.bicep; do
  diagnostics="$(scripts/bicep.sh build "$template" --outfile "$work/$(basename "$template" .bicep).json" 2>&1)" || { echo "$diagnostics" >&2; exit 1; }
  diagnostics+="$(scripts/bicep.sh lint "$template" 2>&1)" || { echo "$diagnostics" >&2; exit 1; }
  if [ -n "$diagnostics" ]; then
    echo "$diagnostics" >&2
    die "$template has Bicep diagnostics"
  fi
done

if [ $# -eq 0 ]; then
  log "Unit tests (no services)"
  phase=$SECONDS
  run_tests unit --filter "Category=Unit"
fi

start_postgres "$work"
start_azurite "$work"
export SMARTTRIP_TEST_POSTGRES="$PG_ADMIN_CONNECTION"
export SMARTTRIP_TEST_STORAGE="$STORAGE_CONNECTION"
export SMARTTRIP_TEST_STORAGE_SECOND="$STORAGE_CONNECTION_SECOND" # hosts that do not drain the events queue
ensure_browser
export SMARTTRIP_TEST_CHROMIUM="$BROWSER_PATH"
export SMARTTRIP_TEST_ARTIFACTS="$REPO_ROOT/artifacts" # the dashboard screenshot

phase=$SECONDS
if [ $# -eq 0 ]; then
  log "Integration tests (PostgreSQL, Azurite, the Functions host)"
  run_tests integration --filter "Category!=Unit"
else
  log "Tests: $*"
  run_tests selected "$@"
fi
finish
