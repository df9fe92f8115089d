"""Lookup arrays that take a second to build and never change for the same inputs: built once per machine and
kept as `.npy` files, instead of once per task.

Why: datatrove runs every task in a fresh process (forked per task locally, a new Python per array task on
SLURM), so an in-process cache rebuilds them in every task: the URL blocklist's 4.6 M domain hashes cost
~2 s of CPU and 36 MB per filter task, the text-normalization table ~0.13 s per dedup task. Loaded from the
cache they take ~1 ms, memory-mapped, and the tasks on a node share their pages.

Where: `$OLM_DATA_CACHE`, else `$XDG_CACHE_HOME/olm-data`, else `~/.cache/olm-data`. A file is named by what
the array is and a hash of everything it depends on (`key`: source file size and mtime, library versions, a
format number), so a changed input never reads a stale array. The tasks that find it missing at once take turns
(`flock` on a `.lock` file beside it): the first builds it, the others read its file; writes go to a temporary
file renamed into place, so a reader never sees half an array. A folder that cannot
be written, or a damaged file, is not an error: the array is built in memory, as without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np


def cache_folder() -> Path:
    """Where cached arrays live (see the module docstring)."""
    if folder := os.environ.get("OLM_DATA_CACHE"):
        return Path(folder).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "olm-data"


def file_key(path: str | os.PathLike) -> str:
    """What identifies a source file's content cheaply: its real path, size and modification time."""
    st = os.stat(path)
    return f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}"


def cached_array(name: str, key: str, build: Callable[[], np.ndarray]) -> np.ndarray:
    """The array `build()` returns, read from the cache when an earlier call with the same `name` and `key`
    stored it (read-only, memory-mapped), else built and stored."""
    path = cache_folder() / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npy"
    cached = _load(path)
    if cached is not None:
        return cached
    with _build_lock(path):  # the tasks that start together on a cold cache: one builds, the others read its file
        cached = _load(path)
        if cached is not None:
            return cached
        array = build()
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.save(f, array, allow_pickle=False)
                os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache folder is read by every user
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            pass  # read-only or full disk: the next task builds it again, nothing else changes
    return array


def _load(path: Path) -> np.ndarray | None:
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):  # not there yet, or damaged (then rebuilt and replaced)
        return None


@contextlib.contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """An exclusive `flock` on `<path>.lock` while the array is built; no lock where there is none to take (no
    fcntl, a folder that cannot be written, a filesystem without locks): then every task builds its own copy."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a+b")  # noqa: SIM115 - held across the yield
    except (ImportError, OSError):
        yield
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
        except OSError:
            pass
        yield
