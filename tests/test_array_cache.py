"""The array cache: built once, then read back; a changed key, a damaged file or a read-only folder still give the
right array (never a stale one, never a crash)."""

import functools
import multiprocessing
import os
import time

import numpy as np
import pytest

from olm_data import array_cache
from olm_data.array_cache import cached_array, file_key


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OLM_DATA_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def counting_build(value: int):
    calls = []

    def build():
        calls.append(1)
        return np.arange(5, dtype=np.int64) * value

    return build, calls


def test_built_once_then_read_back_memory_mapped(cache):
    build, calls = counting_build(3)
    first = cached_array("thing", "k1", build)
    again = cached_array("thing", "k1", build)
    assert calls == [1]
    assert isinstance(again, np.memmap) and not again.flags.writeable
    assert np.array_equal(first, again) and again.dtype == np.int64
    assert [p.name[:6] for p in cache.glob("*.npy")] == ["thing-"] and not list(cache.glob(".*"))  # no temp file


def test_another_key_is_another_array(cache):
    build1, calls1 = counting_build(1)
    build2, calls2 = counting_build(2)
    cached_array("thing", "k1", build1)
    assert np.array_equal(cached_array("thing", "k2", build2), np.arange(5) * 2)
    assert calls1 == calls2 == [1] and len(list(cache.glob("*.npy"))) == 2


def test_damaged_file_is_rebuilt_and_replaced(cache):
    build, calls = counting_build(7)
    cached_array("thing", "k", build)
    (path,) = cache.glob("*.npy")
    path.write_bytes(path.read_bytes()[:20])  # cut inside the header
    assert np.array_equal(cached_array("thing", "k", build), np.arange(5) * 7)
    assert np.array_equal(cached_array("thing", "k", build), np.arange(5) * 7)
    assert calls == [1, 1]


def _slow_build(log: str) -> np.ndarray:
    with open(log, "a") as f:
        f.write("built\n")
    time.sleep(0.5)
    return np.arange(3)


def _task(args: tuple[str, str]) -> list[int]:
    folder, log = args
    os.environ["OLM_DATA_CACHE"] = folder
    return cached_array("shared", "k", functools.partial(_slow_build, log)).tolist()


def test_tasks_that_start_together_build_it_once(cache, tmp_path):
    log = tmp_path / "builds.txt"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        results = pool.map(_task, [(str(cache), str(log))] * 3)
    assert results == [[0, 1, 2]] * 3
    assert log.read_text() == "built\n"  # one task built it, the two others waited and read its file


def test_unwritable_folder_builds_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("OLM_DATA_CACHE", str(blocker / "cache"))  # a folder under a file cannot be made
    build, calls = counting_build(2)
    assert np.array_equal(cached_array("thing", "k", build), np.arange(5) * 2)
    assert np.array_equal(cached_array("thing", "k", build), np.arange(5) * 2)
    assert calls == [1, 1]


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("OLM_DATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert array_cache.cache_folder() == tmp_path / "olm-data"


def test_file_key_changes_with_the_file(tmp_path):
    f = tmp_path / "list.txt"
    f.write_text("a\n")
    before = file_key(f)
    f.write_text("a\nb\n")
    os.utime(f, ns=(1, 1))
    assert file_key(f) != before


def test_cached_url_blocklist_equals_a_fresh_build(cache):
    from olm_data.filters import urls

    tar = str(urls._datatrove_assets() / "url_filterblacklistsv0_3_0.tar.gz")
    urls._blocklist_domain_hashes.cache_clear()
    built, built_urls = urls._blocklist_domain_hashes(tar)
    urls._blocklist_domain_hashes.cache_clear()
    read, read_urls = urls._blocklist_domain_hashes(tar)
    assert isinstance(read, np.memmap) and np.array_equal(built, read) and len(read) > 4_000_000
    assert np.all(read[1:] >= read[:-1]) and built_urls == read_urls and len(read_urls) > 10_000


def test_cached_text_tables_equal_a_fresh_build(cache, monkeypatch):
    from olm_data.dedup import text
    from olm_data.filters import words

    monkeypatch.setattr(text, "_TABLE", None)  # this process may have built it before the cache moved here
    assert np.array_equal(text._table()[:0x10000], text._bmp_table())
    assert np.array_equal(np.load(next(cache.glob("text-normalization-bmp-*.npy"))), text._bmp_table())
    emoji = words._emoji_code_points()
    assert np.array_equal(cached_array("emoji-code-points", "fresh", words._emoji_code_points), emoji)
    assert {chr(c) for c in emoji.tolist()} <= words.special_characters()
