#!/usr/bin/env bash
# A PostgreSQL cluster for development tasks that need a live database at build
# time (`cargo sqlx prepare`, its `--check` in CI). The app and the tests do not
# need it: they run their own private cluster.
#   scripts/dev-db.sh start   # prints the DATABASE_URL to export
#   scripts/dev-db.sh stop
set -euo pipefail
dir=${KONTOREGISTER_DEV_DB:-/tmp/kontoregister-dev-db}
bindir=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bindir/initdb" ] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    run "$bindir/initdb" -D "$dir/pg" -U kontoregister -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  fi
  if ! run "$bindir/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    rm -f "$dir/pg/postmaster.pid"
    run "$bindir/pg_ctl" -D "$dir/pg" -l "$dir/pg/server.log" -w \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir'" start >/dev/null
  fi
  url="postgres://kontoregister@localhost/kontoregister?host=$dir"
  psql "postgres://kontoregister@localhost/postgres?host=$dir" -tAc \
    "select 1 from pg_database where datname = 'kontoregister'" | grep -q 1 ||
    psql "postgres://kontoregister@localhost/postgres?host=$dir" -qc "create database kontoregister"
  echo "$url"
  ;;
stop)
  run "$bindir/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
