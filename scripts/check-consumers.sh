#!/usr/bin/env bash
# Runs the exports' consumers on exports of a sample policy: the Hugging Face
# datasets library on a training set's splits, OpenAI's documented keys on
# the files `studio train job` uploads (and their sidecars), `promptfoo
# validate config` on promptfooconfig.yaml, and instructlab-schema's parser
# on every qna.yaml; then the datasets library again, at scale, on a 2,000-rule
# synthetic policy's chat.jsonl, preference.jsonl, eval.jsonl and training sets (check 5).
# The consumers are installed outside the repository, in
# $STUDIO_CONSUMERS_DIR (default /tmp/studio-consumers), and kept there for
# the next run. Prints one line per check; exits 1 if any fails.
#
#   bash scripts/check-consumers.sh [policy.ttl] [context IRI]
#
# Not part of the test suite (it installs packages: about 3.5 minutes the first
# time); .ci/run runs it before the suite. The invariants it relies on are also
# tested in tests/framers and tests/instructors. The consumers' versions are
# pinned below, so that a new release cannot fail a build unseen.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
policy=${1:-$repo/policies/retail-bank-assistant.ttl}
context=${2:-https://example.org/harbourline/assistant#ctx-customer-assistant}
tools=${STUDIO_CONSUMERS_DIR:-/tmp/studio-consumers}
work=$(mktemp -d "${TMPDIR:-/tmp}/studio-consumers-run-XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0
report() { # status name detail
  printf '%-4s %-22s %s\n' "$1" "$2" "$3"
  [ "$1" = ok ] || failed=1
}

mkdir -p "$tools"
DATASETS=5.2.0 INSTRUCTLAB_SCHEMA=0.4.2 PROMPTFOO=0.121.20
if ! "$tools/venv/bin/python" -c "import importlib.metadata as m; assert m.version('datasets') == '$DATASETS' and m.version('instructlab-schema') == '$INSTRUCTLAB_SCHEMA'" 2>/dev/null; then
  python3 -m venv "$tools/venv" && "$tools/venv/bin/pip" install -q "datasets==$DATASETS" "instructlab-schema==$INSTRUCTLAB_SCHEMA" >"$tools/pip.log" 2>&1 ||
    { report FAIL install "pip install datasets instructlab-schema failed (see $tools/pip.log)"; exit 1; }
fi
if [ "$("$tools/npm/node_modules/.bin/promptfoo" --version 2>/dev/null | tail -1)" != "$PROMPTFOO" ]; then
  npm install --prefix "$tools/npm" --no-audit --no-fund "promptfoo@$PROMPTFOO" >"$tools/npm.log" 2>&1 ||
    { report FAIL install "npm install promptfoo failed (see $tools/npm.log)"; exit 1; }
fi
py="$tools/venv/bin/python"
report ok install "datasets $("$py" -c 'import datasets; print(datasets.__version__)'), instructlab-schema $("$py" -c 'import importlib.metadata as m; print(m.version("instructlab-schema"))'), promptfoo $("$tools/npm/node_modules/.bin/promptfoo" --version 2>/dev/null | tail -1)"

# Exports from the sample policy, with the CLI, in a data folder of their own.
# `studio_in <data folder> <args>`: the CLI from source on a data folder of the run's own.
studio_in() { local data=$1; shift; (cd "$repo" && STUDIO_DATA_DIR="$data" node --import tsx src/cli/main.ts "$@"); }
studio() { studio_in "$work/data" "$@"; }
studio load "$policy" >"$work/cli.log" 2>&1 || { report FAIL cli "studio load $policy failed: $(tail -3 "$work/cli.log")"; exit 1; }
studio conflicts >>"$work/cli.log" 2>&1 # exits 1 on an unresolved conflict; the resolutions are written all the same
studio generate --out "$work/exports" >>"$work/cli.log" 2>"$work/generate.err" || { report FAIL cli "studio generate failed: $(tail -3 "$work/generate.err")"; exit 1; }
studio train dataset --out "$work/training" --context "$context" >>"$work/cli.log" 2>&1 || { report FAIL cli "studio train dataset failed: $(tail -3 "$work/cli.log")"; exit 1; }
exports=$(ls -d "$work"/exports/*/ | head -1)
set_dir=$(dirname "$(find "$work/training" -name manifest.json | head -1)")

# 1. The datasets library loads train, validation and test of each format together.
for format in sft dpo; do
  if out=$("$py" - "$set_dir/$format" "$work/hf-cache" 2>&1 <<'EOF'
import sys, datasets
folder, cache = sys.argv[1], sys.argv[2]
datasets.disable_progress_bars()
ds = datasets.load_dataset('json', data_files={s: f'{folder}/{s}.jsonl' for s in ('train', 'validation', 'test')}, cache_dir=cache)
print(' / '.join(f'{s} {len(ds[s])}' for s in ('train', 'validation', 'test')))
EOF
  ); then report ok "datasets $format" "load_dataset('json') of train+validation+test: $(echo "$out" | tail -1)"
  else report FAIL "datasets $format" "$(echo "$out" | tail -2 | tr '\n' ' ')"; fi
done

# 2. The files a job uploads have only OpenAI's documented keys; each sidecar line matches its line.
for format in sft dpo; do
  if out=$("$py" - "$set_dir" "$format" 2>&1 <<'EOF'
import json, sys
folder, fmt = sys.argv[1], sys.argv[2]
keys = {'sft': {'messages'}, 'dpo': {'input', 'preferred_output', 'non_preferred_output'}}[fmt]
total = 0
for split in ('train', 'validation'):
    data = [json.loads(l) for l in open(f'{folder}/openai/{fmt}/{split}.jsonl')]
    side = [json.loads(l) for l in open(f'{folder}/openai/{fmt}/{split}.metadata.jsonl')]
    kept = [json.loads(l) for l in open(f'{folder}/{fmt}/{split}.jsonl')]
    for n, r in enumerate(data, 1):
        assert set(r) == keys, f'{split}.jsonl:{n}: keys {sorted(r)}'
        if fmt == 'dpo':
            assert set(r['input']) == {'messages'}, f'{split}.jsonl:{n}: input keys {sorted(r["input"])}'
            assert all(len(r[k]) == 1 and r[k][0]['role'] == 'assistant' for k in ('preferred_output', 'non_preferred_output')), f'{split}.jsonl:{n}'
        msgs = r['messages'] if fmt == 'sft' else r['input']['messages']
        assert all(set(m) == {'role', 'content'} for m in msgs), f'{split}.jsonl:{n}: message keys'
    assert len(side) == len(data) == len(kept), f'{split}: {len(data)} lines, {len(side)} sidecar lines, {len(kept)} records'
    for n, (s, k) in enumerate(zip(side, kept), 1):
        assert s['line'] == n and s['item'] == k['metadata']['item'] and s['metadata'] == k['metadata'], f'{split}.metadata.jsonl:{n}'
    total += len(data)
print(total)
EOF
  ); then report ok "openai upload $format" "$(echo "$out" | tail -1) lines in train+validation with only $( [ $format = sft ] && echo messages || echo input, preferred_output, non_preferred_output); sidecars match line and item"
  else report FAIL "openai upload $format" "$(echo "$out" | tail -1)"; fi
done

# 3. promptfoo accepts the suite's config.
if out=$(cd "$work" && PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_CONFIG_DIR="$work/promptfoo" \
  "$tools/npm/node_modules/.bin/promptfoo" validate config -c "$exports/promptfooconfig.yaml" 2>&1); then
  report ok promptfoo "promptfoo validate config: $(echo "$out" | grep -i 'valid' | tail -1) ($(grep -c '^- description:' "$exports/promptfooconfig.yaml") tests)"
else report FAIL promptfoo "$(echo "$out" | grep -v 'Node.js\|Warning\|trace-warnings' | head -3 | tr '\n' ' ')"; fi

# 4. instructlab-schema's parser accepts every qna.yaml.
if out=$("$py" - "$exports/instructlab" 2>&1 <<'EOF'
import pathlib, sys
from instructlab.schema.taxonomy import TaxonomyParser
files = sorted(pathlib.Path(sys.argv[1]).rglob('qna.yaml'))
parser = TaxonomyParser(schema_version=0, message_format='standard')
errors = 0
for f in files:
    t = parser.parse(f)
    errors += t.errors
print(f'{len(files)} files, {errors} errors')
sys.exit(1 if errors or not files else 0)
EOF
); then
  left=$(grep -c '^section' "$exports/instructlab/left-out.txt" 2>/dev/null || echo 0)
  report ok instructlab "TaxonomyParser: $(echo "$out" | tail -1); $left section(s) under 5 examples left out (instructlab/left-out.txt)"
else report FAIL instructlab "$(echo "$out" | tail -4 | tr '\n' ' ')"; fi

# 5. At scale: the datasets library types every key from the first 10 MB of the first file, so a key null all
# through them and a text after them fails the load. A 2,000-rule synthetic policy (with a deployment context)
# writes more than 10 MB of its rules' own items before any other: its chat.jsonl, preference.jsonl,
# eval.jsonl and training sets must load whole.
big="$work/big"
mkdir -p "$big"
{ (cd "$repo" && node --import tsx -e "import('./scripts/bench/synthetic-policy.ts').then((m) => m.writeSyntheticPolicy(2000, process.argv[1]))" "$big/policy.ttl") &&
  printf '\nsyn:ctx a studio:DeploymentContext ;\n    rdfs:label "Synthetic assistant" ;\n    studio:deploys syn:policy ;\n    studio:serves studio:Internal ;\n    studio:persona "You are the synthetic assistant." .\n' >>"$big/policy.ttl" &&
  studio_in "$big/data" load --no-validate "$big/policy.ttl" >"$big/cli.log" 2>&1 &&
  studio_in "$big/data" generate --out "$big/exports" >>"$big/cli.log" 2>&1 &&
  studio_in "$big/data" train dataset --out "$big/training" >>"$big/cli.log" 2>&1; } ||
  { report FAIL "datasets at scale" "the 2,000-rule policy's exports failed: $(tail -3 "$big/cli.log" | tr '\n' ' ')"; exit 1; }
big_exports=$(ls -d "$big"/exports/*/ | head -1)
big_set=$(dirname "$(find "$big/training" -name manifest.json | head -1)")
if out=$("$py" - "$big_exports" "$big_set" "$work/hf-cache-big" 2>&1 <<'EOF'
import os, sys, datasets
exports, training, cache = sys.argv[1], sys.argv[2], sys.argv[3]
datasets.disable_progress_bars()
said = []
for name in ('chat', 'preference', 'eval'):
    file = f'{exports}/{name}.jsonl'
    ds = datasets.load_dataset('json', data_files=file, cache_dir=cache)
    said.append(f'{name}.jsonl {os.path.getsize(file) >> 20} MB {len(ds["train"])}')
for fmt in ('sft', 'dpo'):
    ds = datasets.load_dataset('json', data_files={s: f'{training}/{fmt}/{s}.jsonl' for s in ('train', 'validation', 'test')}, cache_dir=cache)
    said.append(f'{fmt} ' + ' / '.join(str(len(ds[s])) for s in ('train', 'validation', 'test')))
print(', '.join(said))
EOF
); then report ok "datasets at scale" "2,000 rules: $(echo "$out" | tail -1)"
else report FAIL "datasets at scale" "$(echo "$out" | grep -v '^  ' | tail -2 | tr '\n' ' ')"; fi

exit $failed
