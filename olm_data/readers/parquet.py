"""Reading a corpus folder (datatrove parquet) back in, the one way every olm-data stage does it.

The datatrove side of corpus reading; `olm_data.corpus` is the datatrove-free side the trainer shares.
"""

from __future__ import annotations

from typing import Any

from datatrove.pipeline.readers import ParquetReader


class CorpusParquetReader(ParquetReader):
    """datatrove's ParquetReader that reads an empty or absent folder as zero documents.

    A writer that got no documents writes no file, so an earlier stage whose filters dropped everything leaves
    nothing behind; datatrove's reader would then fail the task ("No files found"). An empty result is a
    result: the later stages run, see zero documents, and the run still ends with its stats and report.
    """

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Any:
        if data:
            yield from data
        try:
            files = self.data_folder.list_files(recursive=self.recursive, glob_pattern=self.glob_pattern)
        except FileNotFoundError:
            files = []
        if not files:
            self.stat_update("documents", value=0)
            return
        yield from super().run(None, rank, world_size)


def read_corpus(folder: str, **kwargs: Any) -> CorpusParquetReader:
    """A CorpusParquetReader of `folder`, minus the `file_path` datatrove adds to every document's metadata.

    That field holds the absolute path of the file read, so the bytes of every later output would depend on
    where `--output` points: the same inputs and flags must give the same bytes wherever the run writes.
    """
    reader = CorpusParquetReader(folder, **kwargs)
    reader.add_file_path = False  # BaseDiskReader honours it; ParquetReader's __init__ does not take it
    return reader
