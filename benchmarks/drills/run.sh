#!/usr/bin/env bash
# Fault drills of the event pipeline: a soak in which a real process is killed or stopped, then the exact-count check.
#   benchmarks/drills/run.sh [host|postgres|azurite|all]        (default all; about 2 minutes a drill)
# Each drill posts 100-event batches from 16 clients for SOAK_SECONDS (default 40; clients resend a failed batch with the
# same event ids, as the frontend does) and, FAULT_AT seconds in (default 15):
#   host      kill -9 the Functions host (and its worker) and start it again
#   postgres  stop PostgreSQL (immediate shutdown) for 20 seconds, then start it again
#   azurite   stop Azurite and start it again on the same ports and data folder (its queues persist on disk)
# then checks that every accepted event is stored once or dead-lettered, no event id twice, and that every trip, session
# and user counter equals a recount from events. Runs under the development host, or under a real Functions host when
# SMARTTRIP_FUNCTIONS_HOST names one (see scripts/functions-host.sh). Exits non-zero when a check fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/services.sh"
cd "$REPO_ROOT"
drills=("$@"); [ ${#drills[@]} -eq 0 ] || [ "${drills[0]}" = all ] && drills=(host postgres azurite)
soak_seconds="${SOAK_SECONDS:-40}"
fault_at="${FAULT_AT:-15}"
work="$(mktemp -d /tmp/smarttrip-drill.XXXXXX)"
HOST_PID=""; AZURITE_PID=""
cleanup() { [ -n "$HOST_PID" ] && kill -9 -- -"$HOST_PID" 2>/dev/null; [ -n "$AZURITE_PID" ] && kill "$AZURITE_PID" 2>/dev/null; stop_services; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log "Building (Release)"
dotnet build SmartTrip.sln -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build benchmarks/SmartTrip.Benchmarks -c Release --nologo -v quiet -clp:ErrorsOnly
cli=(dotnet "$REPO_ROOT/SmartTrip.Cli/bin/Release/net10.0/smarttrip.dll")

PG_DURABLE=1 start_postgres "$work"   # acknowledged commits must survive the drill's crash
create_database smarttrip
ensure_azurite_installed
blob="$(free_port)"; queue="$(free_port)"; table="$(free_port)"
start_drill_azurite() {
  setsid "$REPO_ROOT/tools/node_modules/.bin/azurite" --silent --skipApiVersionCheck --disableTelemetry --location "$work/azurite" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >>"$work/azurite.log" 2>&1 &
  AZURITE_PID=$!
  wait_for_port "$queue" 60 Azurite
}
start_drill_azurite
export ConnectionStrings__SmartTripDb="Host=127.0.0.1;Port=$PG_PORT;Database=smarttrip;Username=smarttrip;Password=smarttrip"
export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export DailyMetricsSchedule="0 15 0 * * *" CloseIdleSessionsSchedule="0 */15 * * * *" PartitionMaintenanceSchedule="0 30 0 * * *"
"${cli[@]}" migrate >/dev/null
"${cli[@]}" seed --shift-dates-to-today >/dev/null

port="$(free_port)"
url="http://127.0.0.1:$port"
start_host() {
  if [ -n "${SMARTTRIP_FUNCTIONS_HOST:-}" ]; then
    FUNCTIONS_SECRETS_PATH="$work/secrets" FUNCTIONS_STATE_DIR="$work/host" \
      setsid scripts/functions-host.sh SmartTrip.Functions/bin/Release/net10.0 "$port" >>"$work/host.log" 2>&1 &
  else
    setsid "${cli[@]}" serve --urls "$url" >>"$work/host.log" 2>&1 &
  fi
  HOST_PID=$!
  local deadline=$(( SECONDS + 120 ))
  until curl -fs "$url/api/health" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || die "the host did not answer /api/health within 120 s (log: $work/host.log)"
    sleep 0.5
  done
}
if [ -n "${SMARTTRIP_FUNCTIONS_HOST:-}" ]; then log "Starting the Functions host ($SMARTTRIP_FUNCTIONS_HOST) on $url"
else log "Starting the development host on $url"; fi
start_host

status=0
for drill in "${drills[@]}"; do
  log "Drill '$drill': soak of $soak_seconds s, fault at $fault_at s"
  dotnet benchmarks/SmartTrip.Benchmarks/bin/Release/net10.0/SmartTrip.Benchmarks.dll soak "$url" "$ConnectionStrings__SmartTripDb" \
    "$soak_seconds" 100 --retry >"$work/soak-$drill.log" 2>&1 &
  soak=$!
  until grep -q "soak started" "$work/soak-$drill.log" 2>/dev/null; do sleep 0.2; done
  sleep "$fault_at"
  case "$drill" in
    host)
      log "kill -9 the host"; kill -9 -- -"$HOST_PID" 2>/dev/null || true; sleep 2
      restarted=$SECONDS; start_host; log "host answering again after $(( SECONDS - restarted )) s" ;;
    postgres)
      log "stopping PostgreSQL for 20 s"; as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null; sleep 20
      as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$work/postgres.log" -w -t 60 -o "$PG_OPTIONS" start >/dev/null
      log "PostgreSQL is back" ;;
    azurite)
      # Stopped, not killed: the emulator saves its queue metadata on an interval, so a kill -9 loses messages it had
      # already acknowledged, which Azure Storage never does. A stop still breaks every connection the host holds.
      log "stopping Azurite"; kill -TERM -- -"$AZURITE_PID" 2>/dev/null || kill -TERM "$AZURITE_PID"
      while kill -0 "$AZURITE_PID" 2>/dev/null; do sleep 0.2; done
      start_drill_azurite; log "Azurite is back (data kept in $work/azurite)" ;;
    *) die "unknown drill '$drill' (host, postgres, azurite or all)" ;;
  esac
  if wait "$soak"; then log "Drill '$drill' passed"; else log "Drill '$drill' FAILED"; status=1; fi
  sed 's/^/    /' "$work/soak-$drill.log" | grep -v "soak started"
done
exit "$status"
