#!/usr/bin/env bash
# Point-in-time recovery drill for PostgreSQL (docs/deploy.md, "Backups").
#
# Starts a throwaway PostgreSQL 15 cluster on a loopback port under a
# temporary directory with WAL archiving on, takes a base backup, runs
# mingbai on it and issues tickets through the API, notes the time, then
# makes the mistake PITR exists for (every ticket of the day cancelled by
# a wrong UPDATE), issues more tickets, and recovers a copy of the cluster
# from the base backup and the archived WAL to the noted time. The drill
# passes when the copy holds exactly the tickets issued before the
# mistake, none cancelled, the audit chain verifies and mingbai serves it.
#
# It installs nothing (Debian: postgresql-15) and runs PostgreSQL as the
# user postgres (run it as root or as postgres). Usage:
#   scripts/drill-pitr.sh [path/to/mingbai]     (default: go build)
# Environment: PORT (default 55440; the copy uses PORT+1), KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PATH="$PGBIN:$PATH"
PORT=${PORT:-55440}; PORT2=$((PORT + 1))
WORK=$(mktemp -d /tmp/mingbai-pitr.XXXXXX)
chmod 755 "$WORK"
BIN=${1:-}
if [ -z "$BIN" ]; then BIN="$WORK/mingbai"; go build -o "$BIN" ./cmd/mingbai; fi
as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi
}
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  for d in primary restored; do
    [ -f "$WORK/$d/postmaster.pid" ] && as_pg pg_ctl -D "$WORK/$d" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT
mkdir -p "$WORK/archive" "$WORK/data"
chown postgres "$WORK" "$WORK/archive"
psql_at() { as_pg psql -Atq -h 127.0.0.1 -p "$1" -U postgres -d mingbai -c "$2"; }

echo "== cluster on 127.0.0.1:$PORT with WAL archiving"
as_pg initdb -D "$WORK/primary" -U postgres --auth=trust >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $WORK/archive/%f && cp %p $WORK/archive/%f'
EOF
as_pg pg_ctl -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
as_pg createdb -h 127.0.0.1 -p "$PORT" -U postgres mingbai
echo "== base backup"
as_pg pg_basebackup -h 127.0.0.1 -p "$PORT" -U postgres -D "$WORK/base" -X fetch --checkpoint=fast

DSN="postgres://postgres@127.0.0.1:$PORT/mingbai?sslmode=disable"
"$BIN" pii new-key --data "$WORK/data" >/dev/null
"$BIN" serve --demo --demo-traffic=false --db "$DSN" --data "$WORK/data" --addr 127.0.0.1:0 --log-level warn \
  >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1 120); do grep -q serving "$WORK/serve.out" 2>/dev/null && break; sleep 0.5; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -1)
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
TOKEN=$("$BIN" token create --user manager --db "$DSN" --data "$WORK/data")
HALL=$(psql_at "$PORT" "select min(id) from halls")
issue() {
  for _ in $(seq 1 "$1"); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"item\":\"RS-A-001\",\"hall\":$HALL}" "$URL/api/v1/tickets"
  done
}
issue 8
BEFORE=$(psql_at "$PORT" "select count(*) from tickets")
CANCELLED_BEFORE=$(psql_at "$PORT" "select count(*) from tickets where state = 'cancelled'")
sleep 1
TARGET=$(psql_at "$PORT" "select now()")
sleep 1
echo "== $BEFORE tickets at $TARGET; now the mistake, and more tickets"
psql_at "$PORT" "update tickets set state = 'cancelled'" >/dev/null
issue 3
AFTER=$(psql_at "$PORT" "select count(*) from tickets")
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
# The WAL holding all of it must be in the archive.
LAST=$(psql_at "$PORT" "select pg_walfile_name(pg_current_wal_lsn())")
psql_at "$PORT" "select pg_switch_wal()" >/dev/null
for _ in $(seq 1 60); do [ -f "$WORK/archive/$LAST" ] && break; sleep 0.5; done
[ -f "$WORK/archive/$LAST" ] || { echo "WAL $LAST not archived"; exit 1; }
as_pg pg_ctl -D "$WORK/primary" -m immediate stop >/dev/null

echo "== recovery of the base backup to $TARGET"
as_pg cp -a "$WORK/base" "$WORK/restored"
cat >>"$WORK/restored/postgresql.conf" <<EOF
port = $PORT2
archive_mode = off
restore_command = 'cp $WORK/archive/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
EOF
as_pg touch "$WORK/restored/recovery.signal"
t0=$(date +%s.%N)
as_pg pg_ctl -D "$WORK/restored" -l "$WORK/restored.log" -w -t 300 start >/dev/null
for _ in $(seq 1 240); do [ "$(psql_at "$PORT2" "select pg_is_in_recovery()" 2>/dev/null)" = f ] && break; sleep 0.5; done
took=$(echo "$(date +%s.%N) - $t0" | bc)
GOT=$(psql_at "$PORT2" "select count(*) from tickets")
CANCELLED=$(psql_at "$PORT2" "select count(*) from tickets where state = 'cancelled'")
DSN2="postgres://postgres@127.0.0.1:$PORT2/mingbai?sslmode=disable"
AUDIT=$("$BIN" audit verify --db "$DSN2" --data "$WORK/data")
"$BIN" serve --db "$DSN2" --data "$WORK/data" --addr 127.0.0.1:0 --log-level warn >"$WORK/serve2.out" 2>"$WORK/serve2.log" &
SERVER=$!
for _ in $(seq 1 120); do grep -q serving "$WORK/serve2.out" 2>/dev/null && break; sleep 0.5; done
URL2=$(grep -o 'http://[0-9.:]*' "$WORK/serve2.out" | head -1)
READY=$(curl -s -o /dev/null -w '%{http_code}' "$URL2/readyz")
echo "tickets before the mistake $BEFORE, at the end $AFTER; recovered copy: $GOT tickets, $CANCELLED cancelled ($CANCELLED_BEFORE before the mistake); recovery took ${took}s"
echo "$AUDIT; the copy serves: /readyz $READY"
if [ "$GOT" = "$BEFORE" ] && [ "$CANCELLED" = "$CANCELLED_BEFORE" ] && [ "$READY" = 200 ]; then
  echo "PITR drill passed"
else
  echo "PITR drill FAILED"; exit 1
fi
