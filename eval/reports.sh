#!/usr/bin/env bash
# Regenerates every evaluation report and the headline table in docs/evaluation.md.
# Run from the repository root after installing: bash eval/reports.sh
# Benchmark reports quote benchmark text, so they stay under $RAG_DATA_DIR/reports (not committed);
# the seed gold set's report is also written to docs/reports/seed.
set -euo pipefail
rag=".venv/bin/rag"
export RAG_DATA_DIR="${RAG_DATA_DIR:-.rag}"
out="$RAG_DATA_DIR/reports"
"$rag" eval --gold eval/gold/seed.jsonl --baseline --report "$out/seed"
mkdir -p docs/reports && rm -rf docs/reports/seed && cp -r "$out/seed" docs/reports/seed
for benchmark in squad2 clapnq; do
  for split in dev test; do
    "$rag" eval --benchmark "$benchmark" --split "$split" --baseline --report "$out/$benchmark-$split"
  done
done
"$rag" eval --benchmark expertqa --split test --report "$out/expertqa-test"
.venv/bin/python -m eval.headline "$out" > docs/evaluation.md
