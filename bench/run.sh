#!/usr/bin/env bash
# Benchmark: seeds 100,000 accounts over 60 organisations, runs the release
# server, measures pages with wrk (32 connections, 20 s after a 5 s warm-up) as
# logged-in users, and a bare reference endpoint as this machine's ceiling.
# Writes BENCHMARKS.md. Needs: wrk, psql, PostgreSQL server binaries.
#   bench/run.sh            # full run
#   DURATION=5 bench/run.sh # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONNS=${CONNS:-32}
export BENCH_PASSWORD=bench-losenord-123
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

echo "== building (release)"
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example bench_reference
cargo build --release --locked --quiet --example kontolista

echo "== database"
export KONTOREGISTER_DEV_DB=/tmp/kontoregister-bench-db
scripts/dev-db.sh stop || true
rm -rf "$KONTOREGISTER_DEV_DB"
export DATABASE_URL=$(scripts/dev-db.sh start)
trap 'kill $(jobs -p) 2>/dev/null || true; scripts/dev-db.sh stop' EXIT
export KONTOREGISTER_ADDR=127.0.0.1:8088 KONTOREGISTER_LOGIN_ATTEMPTS_PER_MINUTE=1000000 KONTOREGISTER_LOG=warn
# wrk comes from one address: the public pages' per-address limit would stop it.
export KONTOREGISTER_PUBLIC_REQUESTS_PER_MINUTE=4000000000

# The demo (users with a known password), then the bulk data.
./target/release/kontoregister --demo --demo-password "$BENCH_PASSWORD" >/dev/null &
SERVER=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:8088/healthz >/dev/null && break; sleep 0.2; done
kill $SERVER; wait $SERVER 2>/dev/null || true
echo "== seeding"
t0=$(date +%s.%N)
psql -q "$DATABASE_URL" -f bench/seed.sql
ACCOUNTS=$(psql -tA "$DATABASE_URL" -c 'select count(*) from accounts')
echo "seeded in $(echo "$(date +%s.%N) - $t0" | bc) s: $ACCOUNTS accounts"

./target/release/kontoregister >/tmp/kontoregister-bench.log 2>&1 &
SERVER=$!
REFERENCE_ADDR=127.0.0.1:8090 ./target/release/examples/bench_reference &
for _ in $(seq 100); do curl -sf http://127.0.0.1:8088/healthz >/dev/null && curl -sf http://127.0.0.1:8090/ >/dev/null && break; sleep 0.2; done

session() {
  curl -s -o /dev/null -D - -X POST http://127.0.0.1:8088/logga-in \
    --data-urlencode "email=$1" --data-urlencode "password=$BENCH_PASSWORD" |
    sed -n 's/^set-cookie: \(kontoregister_session=[^;]*\).*/\1/ip'
}
KOMM=$(session kommunikator@example.se)
SLK=$(session slk@example.se)
AGARE=$(session agare@example.se)
ACCOUNT=$(psql -tA "$DATABASE_URL" -c "select account_id from accounts where name = 'Förskolorna Östermalm'")

# CPU time of the server and of PostgreSQL (the postmaster and its backends)
# during each measured run, from /proc: user + system ticks.
CLK=$(getconf CLK_TCK)
PM=$(head -1 "$KONTOREGISTER_DEV_DB/pg/postmaster.pid")
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The postmaster's own time and that of its children that have ended (a backend
# that ends during a run takes its time with it), plus the live backends'.
pg_ticks() {
  local t p; t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PM/stat")
  for p in $(pgrep -P "$PM"); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}

results=()
run() { # name url cookie [lua]
  local name=$1 url=$2 cookie=$3 script=${4:-}
  local args=(-t2 -c"$CONNS" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" -d5s "$url" >/dev/null            # warm-up
  local s0 p0; s0=$(ticks "$SERVER"); p0=$(pg_ticks)
  local out; out=$(wrk "${args[@]}" -d"${DURATION}s" "$url")
  local s1 p1; s1=$(ticks "$SERVER"); p1=$(pg_ticks)
  local requests; requests=$(echo "$out" | awk '/requests in/ {print $1}')
  # CPU milliseconds per request: the server's, PostgreSQL's.
  local cpu_app cpu_pg
  cpu_app=$(echo "scale=3; ($s1 - $s0) * 1000 / $CLK / $requests" | bc)
  cpu_pg=$(echo "scale=3; ($p1 - $p0) * 1000 / $CLK / $requests" | bc)
  local rps p50 p99 errors non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Socket errors/ {gsub(",", ""); print $4+$6+$8+$10; f=1} END {if (!f) print 0}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5; f=1} END {if (!f) print 0}')
  local rss; rss=$(awk '/VmRSS/ {print int($2/1024) " MB"}' /proc/$SERVER/status)
  echo "$name: $rps req/s, p50 $p50, p99 $p99, errors $errors, non-2xx $non2xx, server RSS $rss, CPU ms/request server $cpu_app PostgreSQL $cpu_pg"
  results+=("$name|$rps|$p50|$p99|$errors|$non2xx|$rss|$cpu_app|$cpu_pg")
}
echo "== measuring ($CONNS connections, ${DURATION}s each)"
run "Reference (50 rows, no session)" http://127.0.0.1:8090/ ""
REF=$(echo "${results[0]}" | cut -d'|' -f2)
run "Register as communicator (1 organisation)" http://127.0.0.1:8088/konton "$KOMM"
run "Register as SLK (whole city, total count)" http://127.0.0.1:8088/konton "$SLK"
run "Register as SLK, page 100 typed (offset)" "http://127.0.0.1:8088/konton?sida=100" "$SLK"
# Page 100 as its link from page 99 gives it: after page 99's last row.
AFTER=$(psql -tA "$DATABASE_URL" -c "select account_id from accounts order by lower(name), account_id offset 4949 limit 1")
run "Register as SLK, page 100 from its link (keyset)" "http://127.0.0.1:8088/konton?sida=100&efter=$AFTER" "$SLK"
run "Account page" "http://127.0.0.1:8088/konton/$ACCOUNT" "$AGARE"
run "Start page \"Att göra\" (owner)" http://127.0.0.1:8088/ "$AGARE"
run "Start page \"Att göra\" (communicator)" http://127.0.0.1:8088/ "$KOMM"
YEAR=$(date +%Y)
run "SLK report page as communicator ($YEAR, 1 organisation)" "http://127.0.0.1:8088/rapporter/slk/$YEAR" "$KOMM"
run "Public verification JSON (/verifiera.json, a real address)" "http://127.0.0.1:8088/verifiera.json?adress=https%3A%2F%2Fwww.example.com%2Fkonto50001" ""
run "Login POST (argon2id)" http://127.0.0.1:8088/logga-in "" bench/login.lua
PEAK=$(awk '/VmHWM/ {print int($2/1024) " MB"}' /proc/$SERVER/status)

# The city-wide compilation XLSX over every submitted version: wall time of the
# download and the server's peak memory during it (VmHWM reset before each).
echo "== city-wide compilation xlsx"
VERSIONS=$(psql -tA "$DATABASE_URL" -c "select count(*) from slk_report_versions where year = $YEAR")
ROWS=$(psql -tA "$DATABASE_URL" -c "select coalesce(sum(account_count), 0) from slk_report_versions where year = $YEAR")
xlsx=()
for i in 1 2 3; do
  echo 5 > /proc/$SERVER/clear_refs
  out=$(curl -s -o /tmp/kontoregister-bench.xlsx -w '%{http_code} %{time_total} %{size_download}' \
    -H "Cookie: $SLK" "http://127.0.0.1:8088/rapporter/slk/$YEAR/sammanstallning.xlsx")
  read -r code secs bytes <<<"$out"
  mb=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER/status)
  echo "compilation xlsx run $i: HTTP $code, $secs s, peak server memory $mb MB, file $((bytes / 1024)) KB"
  xlsx+=("$i|$code|$secs|$mb|$((bytes / 1024))")
done

# The import of a 5,000-row list (the most a file may have): upload (read and
# kept as a batch), preview (every row planned against the register and shown),
# and the commit of the CSV's batch (5,000 accounts in one transaction).
echo "== import of a 5,000-row list"
./target/release/examples/kontolista 5000 /tmp >/dev/null
imports=()
for f in lista-5000.csv lista-5000.xlsx; do
  echo 5 > /proc/$SERVER/clear_refs
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{redirect_url}' -H "Cookie: $KOMM" \
    -F "fil=@/tmp/$f" http://127.0.0.1:8088/konton/import)
  read -r code up batch <<<"$out"
  out=$(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}' -H "Cookie: $KOMM" "$batch")
  read -r pcode preview bytes <<<"$out"
  mb=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER/status)
  echo "$f: upload HTTP $code $up s, preview HTTP $pcode $preview s ($((bytes / 1024)) KB), peak server memory $mb MB"
  imports+=("$f|$code|$up|$pcode|$preview|$((bytes / 1024))|$mb")
  [ "$f" = lista-5000.csv ] && CSV_BATCH=$batch
done
echo 5 > /proc/$SERVER/clear_refs
out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: $KOMM" -d hoppa_over= "$CSV_BATCH/importera")
read -r ccode commit <<<"$out"
cmb=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$SERVER/status)
echo "commit of the csv batch: HTTP $ccode, $commit s, peak server memory $cmb MB"

{
  echo "# Benchmarks"
  echo
  echo "Measured by \`bench/run.sh\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB,"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), PostgreSQL $(psql -tA "$DATABASE_URL" -c 'show server_version'),"
  echo "release build, server and PostgreSQL and wrk on the same machine. Data: $ACCOUNTS accounts (the import's commit at the end adds 5,000) over"
  echo "$(psql -tA "$DATABASE_URL" -c 'select count(*) from organisations') organisations, $(psql -tA "$DATABASE_URL" -c 'select count(*) from forms') forms,"
  echo "$(psql -tA "$DATABASE_URL" -c 'select count(*) from archive_records') archive records, $(psql -tA "$DATABASE_URL" -c 'select count(*) from users') users."
  echo "wrk: $CONNS connections, 2 threads, ${DURATION} s after a 5 s warm-up, logged in with a real session."
  echo
  echo "| page | req/s | ratio to reference | p50 | p99 | socket errors | non-2xx | server RSS | CPU ms/req server | CPU ms/req PostgreSQL |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for r in "${results[@]}"; do
    IFS='|' read -r name rps p50 p99 errors non2xx rss cpu_app cpu_pg <<<"$r"
    ratio=$(printf '%.3f' "$(echo "scale=4; $rps / $REF" | bc)")
    echo "| $name | $rps | $ratio | $p50 | $p99 | $errors | $non2xx | $rss | $cpu_app | $cpu_pg |"
  done
  echo
  echo "CPU ms per request: user and system time from \`/proc\` over the measured run, of the server"
  echo "process and of PostgreSQL (the postmaster and its backends), divided by wrk's requests. The"
  echo "reference's server column is the app server idling (it is another process). On 2 cores the"
  echo "two columns together bound the rate at about 2,000 / (server + PostgreSQL) req/s, less wrk's share."
  echo
  echo "Peak server memory (VmHWM) over the run: $PEAK. wrk counts neither 2xx nor 3xx as errors (a"
  echo "successful login answers 303)."
  echo
  echo "City-wide compilation as SLK, \`/rapporter/slk/$YEAR/sammanstallning.xlsx\`: $VERSIONS submitted versions,"
  echo "$ROWS rows. Time of the whole download (curl); the server's peak memory (VmHWM, reset before each run)."
  echo
  echo "| xlsx run | HTTP | time | server peak memory | file |"
  echo "|---|---|---|---|---|"
  for r in "${xlsx[@]}"; do
    IFS='|' read -r i code secs mb kb <<<"$r"
    echo "| compilation xlsx, run $i | $code | $secs s | $mb MB | $kb KB |"
  done
  echo
  echo "Import of a 5,000-row list as the communicator (\`examples/kontolista.rs 5000\`): the upload"
  echo "(read, kept as a batch), the preview page (every row planned against the register and shown),"
  echo "and the commit of the CSV's batch: wall time (curl) and the server's peak memory (VmHWM, reset before each file)."
  echo
  echo "| file | upload | time | preview | time | page | server peak memory |"
  echo "|---|---|---|---|---|---|---|"
  for r in "${imports[@]}"; do
    IFS='|' read -r f code up pcode preview kb mb <<<"$r"
    echo "| $f | $code | $up s | $pcode | $preview s | $kb KB | $mb MB |"
  done
  echo
  echo "Commit of the CSV's 5,000 rows: HTTP $ccode, $commit s, server peak memory $cmb MB."
} > BENCHMARKS.md.new
echo "== BENCHMARKS.md.new written"
