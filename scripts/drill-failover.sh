#!/usr/bin/env bash
# Database failover drill (docs/deploy.md, docs/reliability.md).
#
# Builds a pg_auto_failover formation on loopback ports under a temporary
# directory — a monitor, a primary and two synchronous-candidate standbys
# with number-sync-standbys 1 (the production topology of docs/deploy.md) —
# runs mingbai
# on a multi-host DSN (target_session_attrs=read-write) with clerks, kiosks
# and a screen working, kills the primary's postgres and its keeper with
# SIGKILL (the machine is gone), and reports acknowledged writes lost
# (must be 0), calls the screen missed (0) and the time until writes are
# acknowledged again.
#
# It installs nothing. It needs, on Debian 12:
#   apt-get install postgresql-15 postgresql-15-auto-failover pg-auto-failover-cli
# and runs the PostgreSQL processes as the user postgres (run it as root,
# or as postgres). Usage:
#   scripts/drill-failover.sh [path/to/mingbai]      (default: go build)
# Environment: BASE_PORT (default 55430: monitor, +1, +2 (+3) the nodes),
# NODES (default 3: primary and two synchronous-candidate standbys,
# number-sync-standbys 1; NODES=2: one standby, number-sync-standbys 0 — the
# topology that can lose a write, docs/reliability.md),
# KILL_KEEPER=0 (kill only the primary's postgres: its keeper restarts it),
# KEEP=1 keeps the directory, BEFORE (load before the kill, default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PATH="$PGBIN:$PATH"
command -v pg_autoctl >/dev/null || { echo "pg_autoctl not found: apt-get install pg-auto-failover-cli postgresql-15-auto-failover" >&2; exit 2; }
BASE_PORT=${BASE_PORT:-55430}
MON_PORT=$BASE_PORT; P1=$((BASE_PORT + 1)); P2=$((BASE_PORT + 2)); P3=$((BASE_PORT + 3))
NODES=${NODES:-3}   # 2: one standby, number-sync-standbys 0 (unsafe, docs/reliability.md)
WORK=$(mktemp -d /tmp/mingbai-failover.XXXXXX)
chmod 755 "$WORK"

BIN=${1:-}
if [ -z "$BIN" ]; then
  BIN="$WORK/mingbai"
  go build -o "$BIN" ./cmd/mingbai
fi

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; fi
}
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  sleep 2
  for d in node1 node2 node3 monitor; do
    [ -f "$WORK/$d/postmaster.pid" ] && as_pg pg_ctl -D "$WORK/$d" -m immediate stop >/dev/null 2>&1 || true
  done
  for p in "${PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null || true; done
  if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT
chown postgres "$WORK"
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/share"
as_pg mkdir -p "$WORK/config" "$WORK/share"

# run_keeper NAME ARGS…: start a pg_autoctl service in the background, in
# a session of its own, so that its process group (the keeper and the
# postgres it runs) can be killed at once by its id.
run_keeper() {
  local name=$1; shift
  setsid bash -c "$(declare -f as_pg); as_pg env XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME PATH=$PATH pg_autoctl $(printf '%q ' "$@")" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
autoctl() {
  as_pg env XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_DATA_HOME="$XDG_DATA_HOME" PATH="$PATH" pg_autoctl "$@"
}
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND…
  local n=$1 what=$2; shift 2
  local end=$((SECONDS + n))
  while [ "$SECONDS" -lt "$end" ]; do
    if "$@" >/dev/null 2>"$WORK/wait.err"; then return 0; fi
    sleep 0.5
  done
  echo "timed out waiting for $what: $(tail -n 3 "$WORK/wait.err")" >&2
  tail -n 20 "$WORK"/*.log >&2 || true
  exit 1
}

echo "== monitor on 127.0.0.1:$MON_PORT"
run_keeper monitor create monitor --pgdata "$WORK/monitor" --pgport "$MON_PORT" --hostname 127.0.0.1 \
  --auth trust --no-ssl --run
MONITOR="postgres://autoctl_node@127.0.0.1:$MON_PORT/pg_auto_failover?sslmode=disable"
wait_for 120 "the monitor" as_pg psql -Atq -d "$MONITOR" -c "select 1"
# Detect a dead primary in seconds, not the default ~30 s (docs/deploy.md).
as_pg psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MON_PORT" -d pg_auto_failover \
  -c "ALTER SYSTEM SET pgautofailover.health_check_period = 1000" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1" \
  -c "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500" \
  -c "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 3000" \
  -c "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 5000" \
  -c "SELECT pg_reload_conf()" >/dev/null

echo "== primary on 127.0.0.1:$P1, standby on 127.0.0.1:$P2"
run_keeper node1 create postgres --pgdata "$WORK/node1" --pgport "$P1" --hostname 127.0.0.1 --name node1 \
  --monitor "$MONITOR" --auth trust --no-ssl --dbname mingbai --run
wait_for 120 "node1 primary" as_pg psql -Atq -h 127.0.0.1 -p "$P1" -d mingbai -c "select not pg_is_in_recovery()"
run_keeper node2 create postgres --pgdata "$WORK/node2" --pgport "$P2" --hostname 127.0.0.1 --name node2 \
  --monitor "$MONITOR" --auth trust --no-ssl --dbname mingbai --run
# The formation is ready when the standby replicates synchronously.
sync_ready() { # sync_ready N: N standbys replicate synchronously
  # The standby's base backup waits for a spread checkpoint (minutes on a
  # loaded machine); an immediate one lets it go.
  as_pg psql -Atq -h 127.0.0.1 -p "$P1" -d mingbai -c "checkpoint" >/dev/null 2>&1 || true
  [ "$(as_pg psql -Atq -h 127.0.0.1 -p "$P1" -d mingbai -c "select count(*) from pg_stat_replication where sync_state in ('sync', 'quorum')")" = "$1" ]
}
wait_for 300 "a synchronous standby" sync_ready 1
HOSTS="127.0.0.1:$P1,127.0.0.1:$P2"
if [ "$NODES" = 3 ]; then
  run_keeper node3 create postgres --pgdata "$WORK/node3" --pgport "$P3" --hostname 127.0.0.1 --name node3 \
    --monitor "$MONITOR" --auth trust --no-ssl --dbname mingbai --run
  wait_for 300 "two synchronous standbys" sync_ready 2
  autoctl set formation number-sync-standbys 1 --pgdata "$WORK/node1"
  HOSTS="$HOSTS,127.0.0.1:$P3"
fi
# The formation is settled when every node has reached the state the
# monitor assigned: one primary (not wait_primary), the others secondary.
settled() {
  [ "$(as_pg psql -Atq -h 127.0.0.1 -p "$MON_PORT" -d pg_auto_failover -c "select count(*) from pgautofailover.node
     where reportedstate = goalstate and reportedstate in ('primary', 'secondary')")" = "$NODES" ] &&
  [ "$(as_pg psql -Atq -h 127.0.0.1 -p "$MON_PORT" -d pg_auto_failover -c "select count(*) from pgautofailover.node where reportedstate = 'primary'")" = 1 ]
}
wait_for 120 "the formation to settle" settled
as_pg psql -Atq -h 127.0.0.1 -p "$MON_PORT" -d pg_auto_failover -c "select number_sync_standbys from pgautofailover.formation where formationid = 'default'" |
  sed 's/^/number_sync_standbys: /'
autoctl show state --pgdata "$WORK/node1" || true
as_pg psql -Atq -h 127.0.0.1 -p "$P1" -d mingbai -c "show synchronous_standby_names" | sed 's/^/synchronous_standby_names: /'
as_pg psql -Atq -h 127.0.0.1 -p "$P1" -d mingbai -c "show synchronous_commit" | sed 's/^/synchronous_commit: /'

DSN="postgres://postgres@$HOSTS/mingbai?sslmode=disable&target_session_attrs=read-write&connect_timeout=2"
# The primary's machine is lost: its keeper and its postgres, at once.
# pg_autoctl keeps its pid file under /tmp/pg_autoctl/<pgdata>. The
# machine is lost when the keeper, every service it forked, postgres and
# every backend die at once: all of them are stopped first (so that none restarts
# another), then killed. KILL_KEEPER=0 kills only postgres and lets the
# keeper restart it (a crash, not a lost machine).
KEEPER1=$(head -1 "/tmp/pg_autoctl$WORK/node1/pg_autoctl.pid")
cat >"$WORK/kill-primary.sh" <<EOF
tree() { for c in \$(ps -o pid= --ppid "\$1"); do tree "\$c"; done; echo "\$1"; }
pids="\$(tree \$(head -1 $WORK/node1/postmaster.pid))"
[ "${KILL_KEEPER:-1}" = 1 ] && pids="\$(tree $KEEPER1) \$pids"
kill -STOP \$pids 2>/dev/null
kill -KILL \$pids 2>/dev/null
date +%s.%N   # the moment of the kill, for the outage time
EOF
KILL="bash $WORK/kill-primary.sh"

echo "== mingbai under load; the primary is killed after ${BEFORE:-10s}"
set +e
"$BIN" soak failover --pg "$DSN" --dir "$WORK/soak" --bin "$BIN" --before "${BEFORE:-10s}" --kill "$KILL" | tee "$WORK/result.txt"
rc=${PIPESTATUS[0]}
set -e
autoctl show state --pgdata "$WORK/node2" || true
echo "== mingbai's event listener (internal/store/events.go):"
grep -h "event listener" "$WORK/soak/server.log" | tail -5 || echo "no reconnection logged"
exit "$rc"
