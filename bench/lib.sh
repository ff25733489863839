# Shared by bench/run.sh and bench/growth.sh: the release build, a seeded
# database, the servers, logged-in sessions and one measured wrk run with the
# CPU time of the server and of PostgreSQL. Sourced, not run.
DURATION=${DURATION:-20}
CONNS=${CONNS:-32}
export BENCH_PASSWORD=bench-losenord-123
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
export KONTOREGISTER_DEV_DB=/tmp/kontoregister-bench-db
export KONTOREGISTER_ADDR=127.0.0.1:8088 KONTOREGISTER_LOGIN_ATTEMPTS_PER_MINUTE=1000000 KONTOREGISTER_LOG=warn
# wrk comes from one address: the public pages' per-address limit would stop it.
export KONTOREGISTER_PUBLIC_REQUESTS_PER_MINUTE=4000000000
APP=http://127.0.0.1:8088
REFERENCE=http://127.0.0.1:8090

build() {
  echo "== building (release)"
  cargo build --release --locked --quiet
  cargo build --release --locked --quiet --example bench_reference
  cargo build --release --locked --quiet --example kontolista
}

# A new database with the demo (users with a known password) and $1 bulk accounts.
seed() {
  stop_all
  rm -rf "$KONTOREGISTER_DEV_DB"
  DATABASE_URL=$(scripts/dev-db.sh start)
  export DATABASE_URL
  ./target/release/kontoregister --demo --demo-password "$BENCH_PASSWORD" >/dev/null &
  local server=$!
  for _ in $(seq 100); do curl -sf $APP/healthz >/dev/null && break; sleep 0.2; done
  kill $server; wait $server 2>/dev/null || true
  echo "== seeding $1 accounts"
  local t0; t0=$(date +%s.%N)
  psql -q "$DATABASE_URL" -v accounts="$1" -f bench/seed.sql
  ACCOUNTS=$(psql -tA "$DATABASE_URL" -c 'select count(*) from accounts')
  echo "seeded in $(echo "$(date +%s.%N) - $t0" | bc) s: $ACCOUNTS accounts"
}

# The app server (SERVER) and the reference (REF_SERVER), then the sessions
# and the postmaster's pid for the CPU columns.
start_servers() {
  ./target/release/kontoregister >/tmp/kontoregister-bench.log 2>&1 &
  SERVER=$!
  REFERENCE_ADDR=127.0.0.1:8090 ./target/release/examples/bench_reference &
  REF_SERVER=$!
  # At start the server keys any address without its normalised key: give it up to 2 minutes.
  for _ in $(seq 600); do curl -sf $APP/healthz >/dev/null && curl -sf $REFERENCE/ >/dev/null && break; sleep 0.2; done
  KOMM=$(session kommunikator@example.se)
  SLK=$(session slk@example.se)
  AGARE=$(session agare@example.se)
  CHEF=$(session chef@example.se)
  PM=$(head -1 "$KONTOREGISTER_DEV_DB/pg/postmaster.pid")
}

stop_all() {
  [ -n "${SERVER:-}" ] && { kill "$SERVER" "$REF_SERVER" 2>/dev/null || true; wait "$SERVER" "$REF_SERVER" 2>/dev/null || true; }
  SERVER=
  scripts/dev-db.sh stop >/dev/null 2>&1 || true
}

session() {
  curl -s -o /dev/null -D - -X POST $APP/logga-in \
    --data-urlencode "email=$1" --data-urlencode "password=$BENCH_PASSWORD" |
    sed -n 's/^set-cookie: \(kontoregister_session=[^;]*\).*/\1/ip'
}

# The id after which the register's page $1 starts (as its link from the
# page before gives it), in the city's name order.
after_page() {
  psql -tA "$DATABASE_URL" -c "select account_id from accounts order by lower(name), account_id offset $((($1 - 1) * 50 - 1)) limit 1"
}

# CPU time of the server and of PostgreSQL (the postmaster and its backends)
# during each measured run, from /proc: user + system ticks.
CLK=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# The postmaster's own time and that of its children that have ended (a backend
# that ends during a run takes its time with it), plus the live backends'.
pg_ticks() {
  local t p; t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$PM/stat")
  for p in $(pgrep -P "$PM"); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}

# One measured run: appends "name|req/s|p50|p99|errors|non-2xx|RSS|CPU server|CPU PostgreSQL"
# to `results` and prints it.
results=()
run() { # name url cookie [lua]
  local name=$1 url=$2 cookie=$3 script=${4:-}
  local args=(-t2 -c"$CONNS" --latency)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" -d5s "$url" >/dev/null            # warm-up
  # wrk's end drops its connections mid-request, and the server then closes the
  # database connections those requests held: let those backends end and be
  # reaped first, or their whole life's time falls between two readings.
  sleep 1
  local s0 p0; s0=$(ticks "$SERVER"); p0=$(pg_ticks)
  local out; out=$(wrk "${args[@]}" -d"${DURATION}s" "$url")
  sleep 1
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

# The ratio of req/s $1 to the reference's $2, to three decimals.
ratio() { printf '%.3f' "$(echo "scale=4; $1 / $2" | bc)"; }
