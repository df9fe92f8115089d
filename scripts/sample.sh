#!/usr/bin/env bash
# README command 1: set up .venv, then build the whole sample end to end on the data bundled with the package:
# Wikipedia dump -> clean articles; CC WARCs -> filtered English corpus; both -> vocab, tokenized-512, tiny BERT.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
OUT=${OUT:-out/sample}
.venv/bin/olm-data run pipelines/wikipedia_20221220.py --sample --output "$OUT/wikipedia" --tasks 2
.venv/bin/olm-data run pipelines/cc_2022_49.py --sample --output "$OUT/cc" --tasks 2
