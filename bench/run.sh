#!/usr/bin/env bash
# Benchmark: seeds 100,000 accounts over 60 organisations, runs the release
# server, measures pages with wrk (32 connections, 20 s after a 5 s warm-up) as
# logged-in users, and a bare reference endpoint as this machine's ceiling.
# Writes BENCHMARKS.md. Needs: wrk, psql, PostgreSQL server binaries.
#   bench/run.sh            # full run
#   DURATION=5 bench/run.sh # shorter
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
build
trap 'kill $(jobs -p) 2>/dev/null || true; stop_all' EXIT
seed 100000
start_servers
ACCOUNT=$(psql -tA "$DATABASE_URL" -c "select account_id from accounts where name = 'Förskolorna Östermalm'")

echo "== measuring ($CONNS connections, ${DURATION}s each)"
run "Reference (50 rows, no session)" $REFERENCE/ ""
REF=$(echo "${results[0]}" | cut -d'|' -f2)
run "Register as communicator (1 organisation)" $APP/konton "$KOMM"
run "Register as communicator, search \"bibliotek\"" "$APP/konton?q=bibliotek" "$KOMM"
run "Register as communicator, \"saknar blankett\" and a platform" "$APP/konton?saknar_blankett=1&plattform=1" "$KOMM"
run "Register as communicator, sorted by platform" "$APP/konton?sortering=plattform" "$KOMM"
run "Register as SLK (whole city, total count)" $APP/konton "$SLK"
run "Register as SLK, page 100 typed (offset)" "$APP/konton?sida=100" "$SLK"
# Page 100 as its link from page 99 gives it: after page 99's last row.
run "Register as SLK, page 100 from its link (keyset)" "$APP/konton?sida=100&efter=$(after_page 100)" "$SLK"
LAST=$(( (ACCOUNTS + 49) / 50 ))
run "Register as SLK, last page ($LAST) from its link (keyset)" "$APP/konton?sida=$LAST&efter=$(after_page $LAST)" "$SLK"
run "Account page" "$APP/konton/$ACCOUNT" "$AGARE"
run "Start page \"Att göra\" (owner)" $APP/ "$AGARE"
run "Start page \"Att göra\" (manager)" $APP/ "$CHEF"
run "Start page \"Att göra\" (communicator)" $APP/ "$KOMM"
YEAR=$(date +%Y)
run "SLK report page as communicator ($YEAR, 1 organisation)" "$APP/rapporter/slk/$YEAR" "$KOMM"
run "Public verification JSON (/verifiera.json, a real address)" "$APP/verifiera.json?adress=https%3A%2F%2Fwww.example.com%2Fkonto50001" ""
run "Login POST (argon2id)" $APP/logga-in "" bench/login.lua
# The register while 32 other connections log in at once.
wrk -t1 -c32 -d"$((DURATION + 5))s" -s bench/login.lua $APP/logga-in >/dev/null &
LOGINS=$!
run "Register as communicator while 32 connections log in" $APP/konton "$KOMM"
wait $LOGINS
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
    -H "Cookie: $SLK" "$APP/rapporter/slk/$YEAR/sammanstallning.xlsx")
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
    -F "fil=@/tmp/$f" $APP/konton/import)
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
    ratio=$(ratio "$rps" "$REF")
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
