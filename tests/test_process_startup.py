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
