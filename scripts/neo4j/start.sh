#!/usr/bin/env bash
# Starts Alignment Studio's local Neo4j 5.26 community server (embedded, Bolt on 127.0.0.1)
# in the background and waits until it answers. Idempotent: exits 0 if it already runs.
#
# Environment:
#   NEO4J_BOLT_PORT        Bolt port on 127.0.0.1 (default 7687)
#   NEO4J_PASSWORD         password of user neo4j (default studio-test-password, >= 8 chars)
#   NEO4J_PAGECACHE_MB     page cache in MiB (default 512)
#   NEO4J_JAVA_OPTS        extra JVM options, appended last (e.g. -Xmx1g)
#   NEO4J_START_TIMEOUT    seconds to wait for Bolt (default 120)
#   JAVA_HOME              Java 17+ to use (default: java on PATH)
#
# Data: <repo>/.neo4j/data, Neo4j's own logs: <repo>/.neo4j/logs,
# process output: <repo>/.neo4j/neo4j.log, pid: <repo>/.neo4j/neo4j.pid, build output: <repo>/.neo4j/build.log
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
STATE_DIR="$REPO_ROOT/.neo4j"
DATA_DIR="$STATE_DIR/data"
LOG_FILE="$STATE_DIR/neo4j.log"
PID_FILE="$STATE_DIR/neo4j.pid"
BUILD_LOG="$STATE_DIR/build.log"
STATE_FILE="$STATE_DIR/neo4j.state"
JAR="$SCRIPT_DIR/target/studio-neo4j-server.jar"
LIB_DIR="$SCRIPT_DIR/target/lib"
MAIN_CLASS="studio.neo4j.StudioNeo4jServer"
READY_MARKER="STUDIO-NEO4J READY"

PORT="${NEO4J_BOLT_PORT:-7687}"
PASSWORD="${NEO4J_PASSWORD:-studio-test-password}"
NEO4J_USER_NAME="neo4j"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"

say() { echo "neo4j/start: $*"; }
die() { echo "neo4j/start: ERROR: $*" >&2; exit 1; }

if ! [[ "$PORT" =~ ^[0-9]{1,5}$ ]] || (( 10#$PORT < 1 || 10#$PORT > 65535 )); then
  die "NEO4J_BOLT_PORT='$PORT' is not a port number"
fi
PORT=$(( 10#$PORT ))
URI="bolt://127.0.0.1:$PORT"
(( ${#PASSWORD} >= 8 )) || die "NEO4J_PASSWORD must have at least 8 characters (Neo4j 5 refuses shorter ones)"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ ]] || die "NEO4J_START_TIMEOUT='$START_TIMEOUT' is not a number of seconds"
START_TIMEOUT=$(( 10#$START_TIMEOUT ))

# Fingerprint of what a running server was started with (the password only as a hash).
password_hash() { printf '%s' "$PASSWORD" | sha256sum | cut -d' ' -f1; }
WANTED_STATE="port=$PORT password_sha256=$(password_hash)"

port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }

# The pid in the pid file, if that process is alive and is our server.
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' < "$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
  echo "$pid"
}

print_connection() {
  echo "NEO4J_URI=$URI"
  echo "NEO4J_USER=$NEO4J_USER_NAME"
  echo "NEO4J_PASSWORD=$PASSWORD"
}

log_tail() {
  echo "----- last lines of $LOG_FILE -----" >&2
  tail -n "${1:-40}" "$LOG_FILE" >&2 2>/dev/null || true
  echo "-----" >&2
}

# Waits until the server printed its ready line (password set) and Bolt accepts connections.
wait_until_ready() {
  local pid="$1" start=$SECONDS
  while true; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail 60
      rm -f "$PID_FILE" "$STATE_FILE"
      die "Neo4j (pid $pid) exited during start-up; see the log above and $STATE_DIR/logs/debug.log"
    fi
    if grep -q "$READY_MARKER" "$LOG_FILE" 2>/dev/null && port_answers; then
      return 0
    fi
    if (( SECONDS - start >= START_TIMEOUT )); then
      log_tail 60
      say "stopping the server that did not become ready"
      "$SCRIPT_DIR/stop.sh" >&2 || true
      die "Neo4j did not answer on $URI within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

mkdir -p "$STATE_DIR"

# One start at a time (the lock is not passed on to the server process).
exec 9>"$STATE_DIR/start.lock"
flock -w 600 9 || die "another start.sh holds $STATE_DIR/start.lock"

# Already running?
if pid="$(running_pid)"; then
  if [[ -f "$STATE_FILE" && "$(cat "$STATE_FILE")" != "$WANTED_STATE" ]]; then
    die "Neo4j already runs (pid $pid) with another port or password ($(sed 's/ password_sha256=.*//' "$STATE_FILE")); run scripts/neo4j/stop.sh first"
  fi
  if ! port_answers || ! grep -q "$READY_MARKER" "$LOG_FILE" 2>/dev/null; then
    say "Neo4j (pid $pid) is starting; waiting for it"
    wait_until_ready "$pid"
  fi
  say "Neo4j already running (pid $pid) and answering on $URI"
  print_connection
  exit 0
fi
rm -f "$PID_FILE" "$STATE_FILE"

if port_answers; then
  die "127.0.0.1:$PORT is already in use by another process (not this script's Neo4j). Stop it, or set NEO4J_BOLT_PORT to a free port, or point the studio at that server with NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD"
fi

# Java 17 or newer.
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install a JDK 17, or set JAVA_HOME)"
java_major="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
if [[ -z "$java_major" ]] || (( java_major < 17 )); then
  die "Neo4j 5.26 needs Java 17 or 21; found: $("$JAVA" -version 2>&1 | head -n1)"
fi

# Build unless the jar is newer than the pom and every source file.
needs_build() {
  [[ -f "$JAR" && -d "$LIB_DIR" ]] || return 0
  compgen -G "$LIB_DIR/neo4j-*.jar" >/dev/null || return 0
  [[ "$SCRIPT_DIR/pom.xml" -nt "$JAR" ]] && return 0
  [[ -n "$(find "$SCRIPT_DIR/src" -type f -newer "$JAR" -print -quit)" ]] && return 0
  return 1
}
if needs_build; then
  command -v mvn >/dev/null 2>&1 || die "mvn not found (install Maven 3.8+, e.g. apt-get install maven)"
  say "building the server (mvn package; the first build downloads Neo4j from Maven Central into ~/.m2)"
  build_start=$SECONDS
  rm -rf "$LIB_DIR"
  if ! (cd "$SCRIPT_DIR" && mvn -B -ntp -Dstyle.color=never package > "$BUILD_LOG" 2>&1 9>&-); then
    echo "----- last lines of $BUILD_LOG -----" >&2
    tail -n 40 "$BUILD_LOG" >&2 || true
    die "the build failed; the whole output is in ${BUILD_LOG#"$REPO_ROOT"/}"
  fi
  touch "$JAR"
  say "built in $(( SECONDS - build_start ))s"
fi

# JVM: 6 GiB heap (a policy imports in one transaction, and Neo4j allows a transaction 70% of the heap:
# 100k rules, 1M triples, did not fit in 2 GiB), plus what Neo4j's own launcher opens so its native file access works on Java 17.
JVM_OPTS=(
  -Xms256m -Xmx6g
  -XX:+UseG1GC
  -XX:+ExitOnOutOfMemoryError
  -XX:-OmitStackTraceInFastThrow
  -Djdk.nio.maxCachedBufferSize=1024
  -Dio.netty.tryReflectionSetAccessible=true
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
)
if [[ -n "${NEO4J_JAVA_OPTS:-}" ]]; then
  read -r -a extra_opts <<< "$NEO4J_JAVA_OPTS"
  JVM_OPTS+=("${extra_opts[@]}")
fi

[[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
say "starting Neo4j on $URI (data in ${DATA_DIR#"$REPO_ROOT"/}, log in ${LOG_FILE#"$REPO_ROOT"/})"
start_time=$SECONDS
NEO4J_PASSWORD="$PASSWORD" nohup "$JAVA" "${JVM_OPTS[@]}" \
  -cp "$JAR:$LIB_DIR/*" "$MAIN_CLASS" \
  --home "$STATE_DIR" --data-dir "$DATA_DIR" --port "$PORT" \
  > "$LOG_FILE" 2>&1 < /dev/null 9>&- &
server_pid=$!
echo "$server_pid" > "$PID_FILE"
echo "$WANTED_STATE" > "$STATE_FILE"

wait_until_ready "$server_pid"
say "Neo4j is up (pid $server_pid) after $(( SECONDS - start_time ))s"
print_connection
