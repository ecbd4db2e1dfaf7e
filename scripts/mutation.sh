#!/usr/bin/env bash
# Mutation testing with Stryker.NET: mutates SmartTrip.Core's Tracking, Auth and Analytics code (see
# SmartTrip.Tests/stryker-config.json), runs the tests that cover each mutant against a throwaway PostgreSQL and Azurite,
# and keeps the report under benchmarks/results/mutation/. Takes long (Auth about 20 minutes, Tracking and Analytics
# more than two hours on 2 cores); not part of CI.
#
#   scripts/mutation.sh                                    # the three folders, report in benchmarks/results/mutation/all
#   REPORT=auth scripts/mutation.sh -m "**/Auth/*.cs"      # one folder (-m narrows the config's list), report in .../auth
#
# It runs in a copy of the working tree, so building or testing in the tree meanwhile cannot disturb it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
cd "$REPO_ROOT"

work="$(mktemp -d /tmp/smarttrip-mutation.XXXXXX)"
cleanup() { stop_services; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

commit="$(git rev-parse HEAD)"
[ -z "$(git status --porcelain -- SmartTrip.Core SmartTrip.Tests)" ] || commit+=" (with uncommitted changes)"
log "Copying the working tree ($commit) to $work/src"
mkdir -p "$work/src"
tar -C "$REPO_ROOT" --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./artifacts \
    --exclude='*/StrykerOutput' --exclude='*/BenchmarkDotNet.Artifacts' -cf - . | tar -C "$work/src" -xf -

start_postgres "$work"
start_azurite "$work"
ensure_browser
export SMARTTRIP_TEST_POSTGRES="$PG_ADMIN_CONNECTION"
export SMARTTRIP_TEST_STORAGE="$STORAGE_CONNECTION"
export SMARTTRIP_TEST_STORAGE_SECOND="$STORAGE_CONNECTION_SECOND"
export SMARTTRIP_TEST_CHROMIUM="$BROWSER_PATH"
unset ConnectionStrings__SmartTripDb AzureWebJobsStorage

log "Running Stryker.NET (dotnet tool restore first)"
dotnet tool restore >/dev/null
started=$SECONDS
(cd "$work/src/SmartTrip.Tests" && dotnet dotnet-stryker --config-file stryker-config.json "$@")

report="$(ls -d "$work"/src/SmartTrip.Tests/StrykerOutput/*/reports | tail -n 1)"
# The Markdown report and the commit are kept in the repository; the generated HTML and JSON (megabytes each) go to
# artifacts/, which git ignores.
out="$REPO_ROOT/benchmarks/results/mutation/${REPORT:-all}"
full="$REPO_ROOT/artifacts/mutation/${REPORT:-all}"
mkdir -p "$out" "$full"
cp "$report"/mutation-report.md "$out"/
cp "$report"/mutation-report.json "$report"/mutation-report.html "$full"/
echo "$commit" > "$out/commit" # what was copied, not what the tree holds now
log "Report: ${out#"$REPO_ROOT"/}/mutation-report.md, HTML and JSON in ${full#"$REPO_ROOT"/} ($(( SECONDS - started )) s)"
