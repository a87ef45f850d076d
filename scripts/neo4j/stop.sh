#!/usr/bin/env bash
# Stops the Neo4j server that scripts/neo4j/start.sh started: SIGTERM (clean shutdown),
# then after NEO4J_STOP_TIMEOUT seconds (default 60) SIGKILL with a warning.
# Exits 0 if nothing was running.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.neo4j"
PID_FILE="$STATE_DIR/neo4j.pid"
STATE_FILE="$STATE_DIR/neo4j.state"
LOG_FILE="$STATE_DIR/neo4j.log"
MAIN_CLASS="studio.neo4j.StudioNeo4jServer"
STOP_TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"

say() { echo "neo4j/stop: $*"; }

[[ "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] || { echo "neo4j/stop: ERROR: NEO4J_STOP_TIMEOUT='$STOP_TIMEOUT' is not a number of seconds" >&2; exit 1; }
STOP_TIMEOUT=$(( 10#$STOP_TIMEOUT ))

if [[ ! -f "$PID_FILE" ]]; then
  say "not running (no ${PID_FILE#"$REPO_ROOT"/})"
  exit 0
fi

pid="$(tr -dc '0-9' < "$PID_FILE")"
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
  say "not running (removing stale pid file)"
  rm -f "$PID_FILE" "$STATE_FILE"
  exit 0
fi
if ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS"; then
  say "pid $pid is not our Neo4j server any more (removing stale pid file)"
  rm -f "$PID_FILE" "$STATE_FILE"
  exit 0
fi

say "stopping Neo4j (pid $pid)"
start=$SECONDS
kill -TERM "$pid" 2>/dev/null || true
while kill -0 "$pid" 2>/dev/null; do
  if (( SECONDS - start >= STOP_TIMEOUT )); then
    echo "neo4j/stop: WARNING: Neo4j (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it (SIGKILL). The store will be recovered on the next start." >&2
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    break
  fi
  sleep 0.2
done
rm -f "$PID_FILE" "$STATE_FILE"

if grep -q "Neo4j stopped cleanly" "$LOG_FILE" 2>/dev/null; then
  say "stopped cleanly after $(( SECONDS - start ))s"
else
  say "stopped after $(( SECONDS - start ))s (no clean-shutdown line in ${LOG_FILE#"$REPO_ROOT"/})"
fi
