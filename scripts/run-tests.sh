#!/usr/bin/env bash
# The suite runs twice, in parallel (pytest-xdist; PYTEST_WORKERS=1 for one process): on the embedded
# SQLite database and on PostgreSQL, and says which ran.
# With CI=true a PostgreSQL that cannot be reached is a failure, not a skip.
# The whole suite on SQLite also measures coverage (pytest-cov, across the xdist workers), prints the
# total and fails under COVERAGE_FLOOR; the PostgreSQL run and runs of chosen tests skip it to stay short.
# Code run in forked sandboxes and child processes is not counted.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Today's total (90.68% of lines and branches, issue 7), rounded down. Raise it as coverage grows; never lower it.
COVERAGE_FLOOR=90
coverage=()
if [ $# -eq 0 ]; then
  coverage=(--cov=microcred --cov-report= "--cov-fail-under=$COVERAGE_FLOOR")
fi
PG_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/microcred}"
ran=()
failed=0

pg_reachable() {
  "$BIN/python" - "$PG_URL" <<'PY'
import sys
import dj_database_url
import psycopg
cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                    password=cfg["PASSWORD"] or None, dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {cfg['HOST']}:{cfg['PORT']}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

echo "=== pytest on SQLite ==="
started=$SECONDS
if env -u DATABASE_URL "$BIN/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" ${coverage[@]+"${coverage[@]}"} "$@"; then
  ran+=("SQLite: passed in $((SECONDS - started))s")
else
  ran+=("SQLite: FAILED after $((SECONDS - started))s"); failed=1
fi

if [[ "$PG_URL" == postgres* ]] && pg_reachable; then
  echo "=== pytest on PostgreSQL ($PG_URL) ==="
  started=$SECONDS
  if DATABASE_URL="$PG_URL" "$BIN/python" -m pytest -p no:cacheprovider -n "${PYTEST_WORKERS:-auto}" -m "not browser" "$@"; then
    ran+=("PostgreSQL: passed in $((SECONDS - started))s")
  else
    ran+=("PostgreSQL: FAILED after $((SECONDS - started))s"); failed=1
  fi
elif [ "${CI:-}" = "true" ]; then
  ran+=("PostgreSQL: NOT REACHABLE (a failure in CI)"); failed=1
else
  ran+=("PostgreSQL: skipped, not reachable (set DATABASE_URL to run it)")
fi

echo
echo "=== Databases tested ==="
printf '  %s\n' "${ran[@]}"
exit $failed
