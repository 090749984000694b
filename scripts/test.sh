#!/usr/bin/env bash
# The test command of the README: formatting, vet, and every test with the
# race detector on SQLite; when MINGBAI_TEST_PG names a PostgreSQL database,
# the storage and web suites run again on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== [${SECONDS}s] gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then
  echo "gofmt needed on:"; echo "$bad"; exit 1
fi

echo "== [${SECONDS}s] go vet"
go vet ./...

# The race detector also turns on checkptr, which checks every unsafe
# pointer conversion at run time. modernc.org/sqlite is SQLite translated
# from C to Go, unsafe throughout by design: checking its conversions was a
# fifth of the race run's time and tests nothing of ours. Its code stays
# under the race detector; only checkptr is off for it.
race=(-race -gcflags='modernc.org/...=-d=checkptr=0')

echo "== [${SECONDS}s] go test -race -short (SQLite)"
# -short keeps the long simulations out of the race-detector run; the
# simulator's target check runs below without the race detector.
# The Chromium tests mostly wait on the browser, so they run in a second
# process beside the rest: two cores are busy instead of one and a half.
browser_log=$(mktemp)
MINGBAI_TEST_PG= go test "${race[@]}" -short -count=1 -timeout 20m -run '^TestBrowser' ./internal/web >"$browser_log" 2>&1 &
browser=$!
rest_ok=0
MINGBAI_TEST_PG= go test "${race[@]}" -short -count=1 -timeout 20m -skip '^TestBrowser' ./... || rest_ok=$?
browser_ok=0
wait "$browser" || browser_ok=$?
echo "-- Chromium tests (race detector, SQLite):"
cat "$browser_log"
rm -f "$browser_log"
if [ "$rest_ok" != 0 ] || [ "$browser_ok" != 0 ]; then
  echo "FAIL: go test -race (SQLite)"; exit 1
fi

echo "== [${SECONDS}s] fuzz targets, 2 s each (a longer run: docs/reliability.md)"
bash scripts/fuzz.sh 2

echo "== [${SECONDS}s] long tests without the race detector (SQLite): simulator targets, 2,000 concurrent tickets"
go test -count=1 -run 'TestTargets' -v ./internal/sim | sed -n '/sim_test.go\|^---\|^ok\|^FAIL/p'
MINGBAI_TEST_PG= go test -count=1 -run 'TestTwoThousandTickets' ./internal/web

if [ -n "${MINGBAI_TEST_PG:-}" ]; then
  # Packages whose tests open a database through storetest.
  pkgs=$(grep -rl --include='*_test.go' 'storetest' internal cmd 2>/dev/null | xargs -n1 dirname | sort -u | sed 's|^|./|')
  # The race detector watches Go code, which is the same on both engines
  # but for the PostgreSQL listener and connection handling in the store
  # package: that runs with -race, the rest without (the SQLite pass above
  # already ran every package with -race).
  echo "== [${SECONDS}s] go test -race (PostgreSQL): ./internal/store"
  go test "${race[@]}" -short -count=1 -timeout 20m ./internal/store
  rest=$(echo "$pkgs" | grep -vx './internal/store' || true)
  echo "== [${SECONDS}s] go test (PostgreSQL): $(echo $rest | tr '\n' ' ')"
  go test -short -count=1 -timeout 20m $rest
  echo "== [${SECONDS}s] long tests without the race detector (PostgreSQL)"
  go test -count=1 -run 'TestTwoThousandTickets' ./internal/web
fi
echo "== [${SECONDS}s] all tests passed"
