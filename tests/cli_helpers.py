"""`olm-data` as a user runs it, for the tests that do: the repo's paths, the command in a subprocess, a corpus's bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CC = str(ROOT / "pipelines" / "cc_2022_49.py")
WIKI = str(ROOT / "pipelines" / "wikipedia_20221220.py")


def olm(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`olm-data ARGS` in a new process from the repo root: its exit code, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "olm_data.cli", *args], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env
    )


def corpus(folder: Path) -> dict[str, bytes]:
    """Every parquet file under `folder` by relative path: what two runs must agree on byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}
