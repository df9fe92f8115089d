"""The bundled sample: 3 small Common Crawl-style WARCs and a Wikipedia multistream dump, written for this project.

README command 1 and the tests run the whole pipeline on it. ``data/README.md`` describes every file and special
record; ``data/expected.json`` lists the URLs of each category so that tests of other steps can assert against it.
Regenerate with ``python -m olm_data.samples.make_sample``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from olm_data.errors import UsageError

SNAPSHOT = "CC-MAIN-2022-49"

__all__ = [
    "SNAPSHOT",
    "expected",
    "sample_dir",
    "warc_dir",
    "warc_files",
    "wikipedia_dump",
    "wikipedia_index",
]


def sample_dir() -> Path:
    """The folder holding the sample files (inside the installed package)."""
    path = Path(__file__).resolve().parent / "data"
    if not (path / "expected.json").is_file():
        raise UsageError(
            f"sample data missing in {path}: reinstall olm-data or run `python -m olm_data.samples.make_sample`"
        )
    return path


def warc_dir() -> Path:
    """The folder of the sample WARC files (what a WARC reader's data_folder should point at)."""
    return sample_dir() / "warc"


def warc_files() -> list[Path]:
    """The sample WARC files in order; the last one is truncated mid-record on purpose."""
    return [sample_dir() / rel for rel in expected()["warc_files"]]


def wikipedia_dump() -> Path:
    """The multistream ``pages-articles``-style bz2 XML dump."""
    return sample_dir() / expected()["wikipedia"]["dump"]


def wikipedia_index() -> Path:
    """The bz2 index of the dump: one ``stream_offset:page_id:title`` line per page."""
    return sample_dir() / expected()["wikipedia"]["index"]


@lru_cache(maxsize=1)
def _expected_cached(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def expected() -> dict:
    """``data/expected.json``: URLs per category, response offsets/ids/dates, and the wiki page lists.

    Returns a fresh copy each call so callers may mutate it.
    """
    return json.loads(json.dumps(_expected_cached(str(sample_dir() / "expected.json"))))
