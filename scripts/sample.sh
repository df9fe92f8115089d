#!/usr/bin/env bash
# README command 1: set up .venv, then build the whole sample end to end on the data bundled with the package:
# Wikipedia dump -> clean deduplicated articles; CC WARCs -> filtered, deduplicated English corpus;
# both -> uncased WordPiece vocab -> tokenized-512 -> a short tiny-BERT pretraining run + fill-mask demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/olm-data run pipelines/olm_december_2022.py --sample --output "${OUT:-out/sample}" --tasks 2 "$@"
