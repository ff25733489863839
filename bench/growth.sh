#!/usr/bin/env bash
# Growth: the same pages at 10,000, 100,000 and 1,000,000 accounts (each on a
# new database), to show whether a request's cost grows with the city: SLK's
# register, its first page and its last page (reached by its link), and the
# communicator's "Att göra". Writes BENCHMARKS-growth.md.new, merged into
# BENCHMARKS.md by hand. Takes about 25 minutes, most of it seeding 1,000,000.
#   bench/growth.sh                       # 10k, 100k, 1M
#   SIZES="10000 100000" DURATION=5 bench/growth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
source bench/lib.sh
build
trap 'kill $(jobs -p) 2>/dev/null || true; stop_all' EXIT
rows=()
for n in ${SIZES:-10000 100000 1000000}; do
  seed "$n"
  start_servers
  results=()
  run "Reference" $REFERENCE/ ""
  run "Register as SLK, first page" $APP/konton "$SLK"
  last=$(( (ACCOUNTS + 49) / 50 ))
  run "Register as SLK, last page ($last) from its link" "$APP/konton?sida=$last&efter=$(after_page $last)" "$SLK"
  run "Start page \"Att göra\" (communicator)" $APP/ "$KOMM"
  organisation=$(psql -tA "$DATABASE_URL" -c "select count(*) from accounts a join role_assignments r on r.organisation_id = a.organisation_id join users u on u.user_id = r.user_id where u.email = 'kommunikator@example.se' and r.role = 'communicator'")
  ref=$(echo "${results[0]}" | cut -d'|' -f2)
  for r in "${results[@]:1}"; do
    IFS='|' read -r name rps p50 p99 errors non2xx rss cpu_app cpu_pg <<<"$r"
    rows+=("$ACCOUNTS|$organisation|$name|$rps|$(ratio "$rps" "$ref")|$p99|$cpu_app|$cpu_pg|$errors")
  done
  stop_all
done
{
  echo "Measured by \`bench/growth.sh\` on $(date -u +%Y-%m-%d): wrk, $CONNS connections, ${DURATION} s after a 5 s"
  echo "warm-up, each size on a new database seeded by \`bench/seed.sql\`; the ratio is to the reference of the same size's run."
  echo
  echo "| accounts | in the communicator's organisation | page | req/s | ratio to reference | p99 | CPU ms/req server | CPU ms/req PostgreSQL | errors |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for r in "${rows[@]}"; do
    IFS='|' read -r n org name rps ratio p99 cpu_app cpu_pg errors <<<"$r"
    echo "| $n | $org | $name | $rps | $ratio | $p99 | $cpu_app | $cpu_pg | $errors |"
  done
} > BENCHMARKS-growth.md.new
echo "== BENCHMARKS-growth.md.new written"
