# Shared helpers for scripts/run.sh and scripts/test.sh: throwaway PostgreSQL and Azurite on free ports.
# Source it; call start_postgres DIR and start_azurite DIR; stop_services stops whatever was started.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STARTED_PIDS=()
PG_BIN=""
PG_DATA=""

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A Functions host given as a relative path (SMARTTRIP_FUNCTIONS_HOST=../shared/tools/realhost/run.sh, as docs/testing.md
# writes it) means a path from the repository root, wherever the command that uses it runs (the tests start the host
# from their binaries' folder). `func` and absolute paths stay as they are.
for host_variable in SMARTTRIP_FUNCTIONS_HOST SMARTTRIP_TEST_FUNCTIONS_HOST; do
  case "${!host_variable:-}" in
    /*|'') ;;
    */*) export "$host_variable=$REPO_ROOT/${!host_variable}" ;;
  esac
done

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( (RANDOM % 30000) + 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free TCP port found"
}

wait_for_port() { # port seconds what
  local deadline=$(( SECONDS + $2 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    (( SECONDS < deadline )) || die "$3 did not start listening on port $1 within $2 s"
    sleep 0.2
  done
}

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ] && { pg_config --bindir; return 0; }
  return 1
}

# apt_install PACKAGE WHAT: installs a Debian package (from the cached lists first, refreshing them if that fails).
apt_install() {
  log "Installing $2 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1 \
    || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null) \
    || die "could not install $2"
}

# npm_ci DIR WHAT: installs DIR's locked npm packages into DIR/node_modules.
npm_ci() {
  command -v npm >/dev/null || die "npm not found; install Node.js to get $2"
  log "Installing $2 into ${1#"$REPO_ROOT"/}/node_modules (npm ci)"
  npm ci --prefix "$1" --no-audit --no-fund --loglevel=error >/dev/null || die "npm could not install $2"
}

ensure_postgres_installed() {
  PG_BIN="$(find_pg_bin)" && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries not found; install the 'postgresql' package"
  apt_install postgresql PostgreSQL
  PG_BIN="$(find_pg_bin)" || die "PostgreSQL installed but initdb not found"
}

# Runs a command as the postgres user when we are root (initdb refuses root), else as ourselves.
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR: a new cluster in DIR on a free port; sets PG_PORT, PG_OPTIONS and PG_ADMIN_CONNECTION. The cluster
# trades durability for speed (no fsync, asynchronous commit) unless PG_DURABLE is set: a crash may then lose commits
# already acknowledged, which the fault drills must not allow.
start_postgres() {
  ensure_postgres_installed
  local running socket_dir
  running="$(head -n 1 "$1/pgdata/postmaster.pid" 2>/dev/null || true)"
  if [ -n "$running" ] && kill -0 "$running" 2>/dev/null; then # not ours to stop: PG_DATA stays unset
    die "a PostgreSQL from another run (pid $running) still uses $1/pgdata; stop that run first"
  fi
  PG_DATA="$1/pgdata"
  socket_dir="$(mktemp -d /tmp/smarttrip-pgsock.XXXXXX)"
  mkdir -p "$1"
  rm -rf "$PG_DATA"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$1" "$socket_dir"
  fi
  PG_PORT="$(free_port)"
  PG_OPTIONS="-p $PG_PORT -k $socket_dir -c listen_addresses=127.0.0.1"
  [ -n "${PG_DURABLE:-}" ] || PG_OPTIONS+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_pg_owner "$PG_BIN/initdb" -D "$PG_DATA" -U smarttrip --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$1/initdb.log" 2>&1 \
    || { cat "$1/initdb.log" >&2; die "initdb failed"; }
  as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$1/postgres.log" -w -t 30 \
    -o "$PG_OPTIONS" start >/dev/null || { cat "$1/postgres.log" >&2; die "PostgreSQL did not start"; }
  PG_ADMIN_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Database=postgres;Username=smarttrip;Password=smarttrip"
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_DATA)"
}

stop_postgres() {
  [ -n "$PG_DATA" ] && [ -d "$PG_DATA" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
  PG_DATA=""
}

ensure_azurite_installed() {
  [ -x "$REPO_ROOT/tools/node_modules/.bin/azurite" ] && return 0
  npm_ci "$REPO_ROOT/tools" Azurite
}

# start_azurite DIR: blob, queue and table services on free ports; sets STORAGE_CONNECTION (the development account) and
# STORAGE_CONNECTION_SECOND (a second account on the same emulator, so that two hosts can each have queues of their own).
start_azurite() {
  ensure_azurite_installed
  mkdir -p "$1"
  local blob queue table
  blob="$(free_port)"; queue="$(free_port)"; table="$(free_port)"
  # The storage emulator's published development account and key, and a second account with the same key.
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  AZURITE_ACCOUNTS="devstoreaccount1:$key;secondaccount:$key" "$REPO_ROOT/tools/node_modules/.bin/azurite" --silent --skipApiVersionCheck --disableTelemetry --inMemoryPersistence \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$1/azurite.log" 2>&1 &
  STARTED_PIDS+=("$!")
  wait_for_port "$queue" 60 Azurite
  local account
  for account in devstoreaccount1 secondaccount; do
    local connection="DefaultEndpointsProtocol=http;AccountName=$account;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/$account;QueueEndpoint=http://127.0.0.1:$queue/$account;TableEndpoint=http://127.0.0.1:$table/$account;"
    if [ "$account" = devstoreaccount1 ]; then STORAGE_CONNECTION="$connection"; else STORAGE_CONNECTION_SECOND="$connection"; fi
  done
  log "Azurite on 127.0.0.1 (blob $blob, queue $queue, table $table)"
}

# ensure_api_reference: Swagger UI's files (npm swagger-ui-dist) for the development host's /api-docs/ page; the host
# build copies them next to it.
ensure_api_reference() {
  [ -f "$REPO_ROOT/tools/api-reference/node_modules/swagger-ui-dist/swagger-ui-bundle.js" ] && return 0
  npm_ci "$REPO_ROOT/tools/api-reference" "Swagger UI"
}

# A Chromium-family browser: SMARTTRIP_TEST_CHROMIUM, else the first of chromium, google-chrome, chromium-browser on PATH.
find_browser() {
  local candidate path
  for candidate in "${SMARTTRIP_TEST_CHROMIUM:-}" chromium google-chrome google-chrome-stable chromium-browser; do
    [ -n "$candidate" ] || continue
    path="$(command -v "$candidate" 2>/dev/null)" && [ -x "$path" ] && { echo "$path"; return 0; }
  done
  return 1
}

# ensure_browser: headless Chromium (Debian's chromium package when none is installed) and playwright-core for the
# dashboard test; sets BROWSER_PATH.
ensure_browser() {
  if ! BROWSER_PATH="$(find_browser)"; then
    [ "$(id -u)" = 0 ] || die "no Chromium found; install the 'chromium' package or set SMARTTRIP_TEST_CHROMIUM"
    apt_install chromium Chromium
    BROWSER_PATH="$(find_browser)" || die "Chromium installed but not found on PATH"
  fi
  [ -d "$REPO_ROOT/SmartTrip.Tests/Browser/node_modules/playwright-core" ] || npm_ci "$REPO_ROOT/SmartTrip.Tests/Browser" playwright-core
  log "Browser for the dashboard test: $BROWSER_PATH"
}

stop_services() {
  set +e
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null
  done
  STARTED_PIDS=()
  stop_postgres
}

# create_database NAME: an empty database on the cluster started by start_postgres.
create_database() {
  "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U smarttrip -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$1\"" >/dev/null || die "could not create database $1"
}
