#!/usr/bin/env bash
# README command 2: set up .venv, then lint and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# the suite starts a few hundred Python processes (CLI runs, pipeline tasks, Slurm jobs): let them cache bytecode
export PYTHONDONTWRITEBYTECODE=
.venv/bin/python -m pytest -q "$@"
