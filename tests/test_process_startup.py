"""Process start-up shortcuts give the same answers as what they replace (olm_data/process_startup.py)."""

import importlib.metadata

import pytest
from datatrove.pipeline.filters import LambdaFilter
from datatrove.utils import _import_utils

from olm_data.process_startup import _distribution_available, fast_dependency_checks, preload_worker_modules


def scan_every_distribution(name: str) -> bool | None:
    """datatrove's own check: a scan of every installed distribution's metadata."""
    names = {(d.metadata.get("Name") or "").lower() for d in importlib.metadata.distributions()}
    return True if name in names else None


@pytest.mark.parametrize("name", ["pyarrow", "warcio", "trafilatura", "fasttext-numpy2-wheel", "no-such-dist-xyz"])
def test_dependency_check_by_name_agrees_with_the_full_scan(name):
    fast_dependency_checks()
    assert _import_utils._is_distribution_available is _distribution_available
    assert _distribution_available(name) == scan_every_distribution(name)


def test_a_step_whose_dependency_is_missing_still_fails_with_datatrove_message():
    fast_dependency_checks()
    with pytest.raises(ImportError, match="no-such-dist-xyz"):
        _import_utils.check_required_dependencies("a step", [("json", "no-such-dist-xyz")])


def test_the_forkserver_preloads_the_step_modules_after_main():
    from olm_data.readers.parquet import CorpusParquetReader

    preload = preload_worker_modules([[LambdaFilter(lambda d: True)], [CorpusParquetReader("memory://x")]])
    assert preload[0] == "__main__"
    assert {"datatrove.pipeline.filters.lambda_filter", "olm_data.readers.parquet", "olm_data.executors"} <= set(
        preload
    )


def test_logger_lib_dirs_are_computed_once_and_are_loguru_own_answer(tmp_path):
    import loguru
    from loguru._better_exceptions import ExceptionFormatter

    from olm_data.process_startup import fast_logger_setup

    fast_logger_setup()
    fast_logger_setup()  # idempotent: the cached function is not wrapped again
    lib_dirs = ExceptionFormatter._get_lib_dirs
    assert lib_dirs.cache_info().currsize == 1
    assert lib_dirs() == lib_dirs.__wrapped__()  # loguru's own computation, unchanged
    log = tmp_path / "task.log"
    handler = loguru.logger.add(log, format="{message}")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            loguru.logger.exception("it failed")  # the exception formatter still renders a traceback
    finally:
        loguru.logger.remove(handler)
    assert "it failed" in log.read_text() and "ValueError: boom" in log.read_text()
    assert lib_dirs.cache_info().misses == 1
