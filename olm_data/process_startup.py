"""What every olm-data process pays once before it does any work, made small: a run is many short stages, and each
stage's worker pool (and each SLURM task) is a new process that pays it again.

* `fast_dependency_checks`: datatrove checks a step's dependencies whenever a step object is created, also when a
  worker unpickles it; its check (`_is_distribution_available`) reads the metadata of every installed
  distribution to find one name: ~50 ms per name, ~0.5 s per process for the CC pipeline's steps. Looking the one
  distribution up by name (`importlib.metadata.distribution`) gives the same answer in well under a millisecond.
  A patch, not a fork of datatrove: it replaces one private function, and does nothing if a datatrove version no
  longer has it.
* `fast_logger_setup`: datatrove gives every task its own loguru handlers (added at the start of the task,
  replaced at its end), and loguru's `logger.add` asks `sysconfig` for the library folders of every install
  scheme each time: ~6 ms per handler, ~1.6 s of CPU per run of the sample. The folders do not change within a
  process, so the answer is computed once (in the forkserver, before it forks the workers). Also a one-function
  patch that does nothing where loguru no longer has that function.
* `preload_worker_modules`: datatrove's local executor starts each stage's pool from a forkserver that imports
  only `__main__`, so every worker of every stage imported datatrove, the step modules and pyarrow (which imports
  pandas on its first table) again: ~0.5 s per worker per stage, most of a small stage's time. Naming them before
  the forkserver starts makes it import them once; workers fork with them imported.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
from collections.abc import Iterable
from typing import Any


@functools.cache
def _distribution_available(name: str) -> bool | None:
    """datatrove's answer (True, or None when missing) for the distribution `name`."""
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    return True


def fast_dependency_checks() -> None:
    """Make datatrove's per-step dependency check a lookup by name instead of a scan of every distribution."""
    from datatrove.utils import _import_utils

    if callable(getattr(_import_utils, "_is_distribution_available", None)):
        _import_utils._is_distribution_available = _distribution_available


def fast_logger_setup() -> None:
    """Compute loguru's library folders once per process instead of once per handler added."""
    from loguru import _better_exceptions

    formatter = _better_exceptions.ExceptionFormatter
    lib_dirs = getattr(formatter, "_get_lib_dirs", None)
    if callable(lib_dirs) and not hasattr(lib_dirs, "cache_info"):
        cached = functools.cache(lib_dirs)
        cached()
        formatter._get_lib_dirs = staticmethod(cached)


def preload_worker_modules(pipelines: Iterable[list[Any]]) -> list[str]:
    """Have the worker pools' forkserver import the modules of these pipelines' steps (and pyarrow, pandas) before
    it forks workers. Only the first call in a process counts (the forkserver starts once); returns the names."""
    import multiprocess

    names = {"olm_data.executors", "olm_data.process_startup", "pyarrow.parquet"}
    if importlib.util.find_spec("pandas") is not None:
        names.add("pandas")
    for steps in pipelines:
        names.update(getattr(step, "__module__", None) or type(step).__module__ for step in steps)
    preload = ["__main__", *sorted(n for n in names if n and n != "__main__")]
    multiprocess.get_context("forkserver").set_forkserver_preload(preload)
    return preload
