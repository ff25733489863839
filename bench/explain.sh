#!/usr/bin/env bash
# EXPLAIN (ANALYZE, BUFFERS) of every statement each measured page runs, on the
# database `bench/run.sh` left (100,000 accounts and more): the server's
# connections load auto_explain, each page is requested twice as its user and
# the plans of the second (warm) request are read back from PostgreSQL's log.
# Writes BENCHMARKS-explain.md.new, merged into BENCHMARKS.md by hand.
#   bench/run.sh && bench/explain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
build
[ -f "$KONTOREGISTER_DEV_DB/pg/PG_VERSION" ] || { echo "no bench database: run bench/run.sh first" >&2; exit 1; }
DATABASE_URL=$(scripts/dev-db.sh start)
export DATABASE_URL
ACCOUNTS=$(psql -tA "$DATABASE_URL" -c 'select count(*) from accounts')
settings="session_preload_libraries auto_explain.log_min_duration auto_explain.log_analyze
  auto_explain.log_buffers auto_explain.log_timing auto_explain.log_format"
reset_settings() {
  for s in $settings; do psql -q "$DATABASE_URL" -c "alter database kontoregister reset $s"; done
}
trap 'reset_settings; stop_all' EXIT
psql -q "$DATABASE_URL" <<'SQL'
alter database kontoregister set session_preload_libraries = 'auto_explain';
alter database kontoregister set auto_explain.log_min_duration = 0;
alter database kontoregister set auto_explain.log_analyze = on;
alter database kontoregister set auto_explain.log_buffers = on;
alter database kontoregister set auto_explain.log_timing = on;
alter database kontoregister set auto_explain.log_format = json;
SQL
start_servers
LOG=$KONTOREGISTER_DEV_DB/pg/server.log
ACCOUNT=$(psql -tA "$DATABASE_URL" -c "select account_id from accounts where name = 'Förskolorna Östermalm'")
LAST=$(( (ACCOUNTS + 49) / 50 ))
YEAR=$(date +%Y)
pages=(
  "Register as communicator|/konton|KOMM"
  "Register as communicator, search \"bibliotek\"|/konton?q=bibliotek|KOMM"
  "Register as communicator, \"saknar blankett\" and a platform|/konton?saknar_blankett=1&plattform=1|KOMM"
  "Register as communicator, sorted by platform|/konton?sortering=plattform|KOMM"
  "Register as SLK|/konton|SLK"
  "Register as SLK, last page ($LAST) from its link|/konton?sida=$LAST&efter=$(after_page $LAST)|SLK"
  "Account page (owner)|/konton/$ACCOUNT|AGARE"
  "\"Att göra\" (owner)|/|AGARE"
  "\"Att göra\" (manager)|/|CHEF"
  "\"Att göra\" (communicator)|/|KOMM"
  "SLK report page as communicator ($YEAR)|/rapporter/slk/$YEAR|KOMM"
  "Public verification JSON|/verifiera.json?adress=https%3A%2F%2Fwww.example.com%2Fkonto50001|"
)
out=/tmp/kontoregister-explain
rm -rf $out && mkdir -p $out
i=0
for p in "${pages[@]}"; do
  IFS='|' read -r name path who <<<"$p"
  cookie=${who:+${!who}}
  curl -s -o /dev/null -H "Cookie: $cookie" "$APP$path"  # warm-up
  sleep 0.3
  from=$(stat -c %s "$LOG")
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$APP$path")
  sleep 0.5 # the log is written by another process
  tail -c +$((from + 1)) "$LOG" > "$out/$i.log"
  echo "$name|$path|$code" > "$out/$i.name"
  i=$((i + 1))
done
python3 bench/explain.py "$out" "$ACCOUNTS" > BENCHMARKS-explain.md.new
echo "== BENCHMARKS-explain.md.new written"
