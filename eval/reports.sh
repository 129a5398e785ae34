#!/usr/bin/env bash
# Regenerates every evaluation report under docs/reports/ (headline table: docs/evaluation.md).
# Run from the repository root after installing: bash eval/reports.sh
set -euo pipefail
rag=".venv/bin/rag"
export RAG_DATA_DIR="${RAG_DATA_DIR:-.rag}"
"$rag" eval --gold eval/gold/seed.jsonl --baseline --report docs/reports/seed
for benchmark in squad2 clapnq; do
  for split in dev test; do
    "$rag" eval --benchmark "$benchmark" --split "$split" --baseline --report "docs/reports/$benchmark-$split"
  done
done
"$rag" eval --benchmark expertqa --split test --report docs/reports/expertqa-test
.venv/bin/python -m eval.headline docs/reports > docs/evaluation.md
