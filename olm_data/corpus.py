"""Reading a corpus folder (datatrove parquet) back in, the one way every olm-data stage does it."""

from __future__ import annotations

from typing import Any


def read_corpus(folder: str, **kwargs: Any) -> Any:
    """datatrove's ParquetReader, minus the `file_path` it adds to every document's metadata.

    That field holds the absolute path of the file read, so the bytes of every later output would depend on
    where `--output` points: the same inputs and flags must give the same bytes wherever the run writes.
    """
    from datatrove.pipeline.readers import ParquetReader

    reader = ParquetReader(folder, **kwargs)
    reader.add_file_path = False  # BaseDiskReader honours it; ParquetReader's __init__ does not take it
    return reader
