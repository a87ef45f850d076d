#!/usr/bin/env bash
# Schema fuzzing of the HTTP API: schemathesis (from PyPI, pinned) against
# /openapi.json with all its checks, once per role (a reader token and an
# engineer token), a bounded number of examples per operation. The server is
# `studio serve` on a loopback port over the embedded store, holding the
# sample policies, in a scratch data folder. Everything it makes goes to a
# temporary folder, removed at the end; exits non-zero on any finding.
#
#   scripts/schemathesis.sh [examples per operation, default 5]
#
# SCHEMATHESIS_VENV=<folder> reuses a virtual environment (made there when absent).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
examples="${1:-5}"
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

venv="${SCHEMATHESIS_VENV:-$scratch/venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# From src when the build is absent (a fresh clone), from dist otherwise.
# One node process either way, so that stopping it by its PID stops the server.
if [ -f dist/cli/main.js ]; then studio=(node dist/cli/main.js); else studio=(node --import tsx src/cli/main.ts); fi

# One token per role, random for this run; the server keeps only their hashes.
reader="reader-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
engineer="engineer-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
export STUDIO_API_TOKENS="{\"tokens\": [{\"name\": \"reader\", \"sha256\": \"$(sha "$reader")\", \"roles\": [\"reader\"]}, {\"name\": \"engineer\", \"sha256\": \"$(sha "$engineer")\", \"roles\": [\"engineer\"]}]}"
export STUDIO_DATA_DIR="$scratch/data"
export STUDIO_STORE=embedded

"${studio[@]}" load policies/ >/dev/null
"${studio[@]}" serve --host 127.0.0.1 --port 0 --log-level error >"$scratch/serve.out" 2>"$scratch/serve.err" &
server_pid=$!
address=""
for _ in $(seq 1 120); do
  address="$(sed -n 's/.* on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$scratch/serve.out")"
  [ -n "$address" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$scratch/serve.err" >&2; exit 1; fi
  sleep 0.5
done
[ -n "$address" ] || { echo "schemathesis.sh: the server did not start" >&2; cat "$scratch/serve.err" >&2; exit 1; }
echo "schemathesis $SCHEMATHESIS_VERSION against $address/openapi.json, $examples examples per operation and role"

config="$PWD/scripts/schemathesis.toml"
status=0
for role in reader engineer; do
  token="$reader"; [ "$role" = engineer ] && token="$engineer"
  echo "== as $role"
  # From the scratch folder, so that schemathesis leaves nothing in the repository.
  (cd "$scratch" && "$venv/bin/schemathesis" --config-file "$config" --no-color run "$address/openapi.json" \
    --checks all \
    --max-examples "$examples" \
    --header "Authorization: Bearer $token" \
    --suppress-health-check all \
    --seed 1 \
    --generation-database none) > "$scratch/schemathesis-$role.out" 2>&1 || status=1
  # Its closing banner ("=== 3 warnings in 23.09s ===") has the shape of a pytest summary
  # that ran no test, which log readers take for the run's verdict: print it as a plain line.
  sed -E 's/^=+ (.*) =+$/schemathesis as '"$role"': \1/' "$scratch/schemathesis-$role.out"
done
exit "$status"
