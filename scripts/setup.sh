#!/usr/bin/env bash
# Create .venv and install olm-data with everything (dev extra). Idempotent; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# old pip (23.x) misses the lxml[html_clean] extra that trafilatura needs; a current pip resolves it
.venv/bin/python -m pip install -q -U pip
# torch first, pinned: on these machines 2.13.0 is a local CPU wheel; an unpinned torch pulls GBs of CUDA.
# Real GPU users keep their own torch build: the package itself accepts any torch>=2.2.
.venv/bin/python -m pip install -q "torch==${TORCH_VERSION:-2.13.0}"
.venv/bin/python -m pip install -q -e ".[dev]"
