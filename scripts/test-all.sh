#!/usr/bin/env bash
# The whole test suite, as the README promises: installs what is missing (when root), starts a
# private PostgreSQL on 127.0.0.1, then lint, typecheck, build, and every test on SQLite and
# PostgreSQL, the browser test and the PKCS#11 tests against SoftHSM2 (each makes its own token) included.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT="${TRUSTLOOP_TEST_PG_PORT:-55432}"
PG_DIR="${TRUSTLOOP_TEST_PG_DIR:-/tmp/trustloop-test-pg}"

need_packages=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_packages+=(postgresql)
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
[ -e /usr/lib/softhsm/libsofthsm2.so ] || need_packages+=(softhsm2)
[ -x /usr/bin/testssl ] || need_packages+=(testssl.sh)
command -v pdftotext >/dev/null || need_packages+=(poppler-utils)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${need_packages[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
  else
    echo "missing system packages: ${need_packages[*]} (install them, or run as root)" >&2
    exit 1
  fi
fi

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  # initdb refuses to run as root, so the throwaway cluster belongs to the postgres user.
  run_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    run_pg "$bin/initdb -D $PG_DIR -U postgres -A trust >/dev/null"
  fi
  if ! run_pg "$bin/pg_ctl -D $PG_DIR status" >/dev/null 2>&1; then
    # A test cluster: durability is not under test here, speed is (bench/ measures durable writes).
    run_pg "$bin/pg_ctl -D $PG_DIR -l $PG_DIR/server.log -w -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c max_connections=200' start" >/dev/null
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -c "select 1 from pg_roles where rolname = 'trustloop'" | grep -q 1 ||
    "${psql[@]}" -c "create role trustloop login password 'trustloop'"
  "${psql[@]}" -c "select 1 from pg_database where datname = 'trustloop_test'" | grep -q 1 ||
    "${psql[@]}" -c "create database trustloop_test owner trustloop"
}

if [ -z "${TRUSTLOOP_TEST_DATABASE_URL:-}" ]; then
  start_postgres
  export TRUSTLOOP_TEST_DATABASE_URL="postgres://trustloop:trustloop@127.0.0.1:$PG_PORT/trustloop_test"
fi

echo "== lint";      npm run --silent lint
echo "== typecheck"; npm run --silent typecheck
echo "== API client matches the OpenAPI document"
npm run --silent gen:api >/dev/null 2>&1
git diff --exit-code -- web/src/api/schema.d.ts || { echo "web/src/api/schema.d.ts is stale: run npm run gen:api" >&2; exit 1; }
echo "== build";     npm run --silent build:web
echo "== tests (SQLite and PostgreSQL, browser included)"
npm test
