"""Progress of a running stage on stderr: every few seconds, tasks done, documents read, docs/s and an ETA.

Tasks run in worker processes (datatrove's LocalPipelineExecutor), so nothing is shared in memory. Each task counts
the documents its first step (the reader) yields and rewrites `logs/<stage>/progress/<rank>` (one integer) at most
every `FILE_EVERY` seconds and once at the end; a thread in the parent sums those files and counts `completions/`
every `--progress-every` seconds. Cost: a clock read per document and one tiny file write per task every 2 s; the
parent reads one file per task per line. `--quiet` turns it off (no wrapper, no thread).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from datatrove.data import Document

PROGRESS = "progress"  # logs/<stage>/progress/<rank>: documents the task's first step has yielded so far
COMPLETIONS = "completions"  # datatrove's marker folder: one empty file per completed task
DEFAULT_EVERY = 10.0
FILE_EVERY = 2.0


def add_progress_arguments(parser: argparse.ArgumentParser) -> None:
    """`--quiet` and `--progress-every`, common flags of `olm-data run`."""
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr while stages run")
    parser.add_argument(
        "--progress-every",
        type=positive_seconds,
        default=DEFAULT_EVERY,
        metavar="SECONDS",
        help=f"seconds between progress lines of a running stage (default: {DEFAULT_EVERY:g})",
    )


def progress_every(args: argparse.Namespace) -> float | None:
    """Seconds between progress lines from the parsed flags, None with --quiet."""
    return None if args.quiet else args.progress_every


def positive_seconds(text: str) -> float:
    """argparse type: a number of seconds > 0, with a one-line message otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


class CountingStep:
    """Stands in for a task's first step: yields what the step yields and writes the running count to a file.

    Every other attribute is the wrapped step's (`stats`, `name`, `missing_files`), so the task's stats, logs and
    outcome are the same as without it.
    """

    def __init__(self, step: Any, logging_dir: Any, rank: int, every: float = FILE_EVERY) -> None:
        self.step = step
        self.logging_dir = logging_dir  # a datatrove DataFolder (the executor's)
        self.rank = rank
        self.every = every

    def __getattr__(self, name: str) -> Any:
        if name == "step":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.step, name)

    def __repr__(self) -> str:
        return repr(self.step)

    def __call__(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Document] | None:
        self._write(0)
        documents = self.step(data, rank, world_size)
        # a step that does its work in the call and yields nothing (returns None) is passed on as it is
        return None if documents is None else self._counted(documents)

    def _counted(self, documents: Iterable[Document]) -> Iterator[Document]:
        count, last = 0, time.monotonic()
        for doc in documents:
            count += 1
            yield doc
            if time.monotonic() - last >= self.every:
                self._write(count)
                last = time.monotonic()
        self._write(count)

    def _write(self, count: int) -> None:
        with self.logging_dir.open(f"{PROGRESS}/{self.rank:05d}", "w") as f:
            f.write(f"{count}\n")


class ReportsProgress:
    """Executor mixin: with `progress_every` set, each task's first step is wrapped in a `CountingStep`."""

    progress_every: float | None = None

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> Any:
        pipeline = self.pipeline
        if not self.progress_every or not pipeline or not callable(pipeline[0]):
            return super()._run_for_rank(rank, local_rank, node_rank)
        every = min(FILE_EVERY, self.progress_every)
        self.pipeline = [CountingStep(pipeline[0], self.logging_dir, rank, every), *pipeline[1:]]
        try:
            return super()._run_for_rank(rank, local_rank, node_rank)
        finally:
            self.pipeline = pipeline


class StageProgress:
    """Prints a progress line for a running stage every `every` seconds, from a background thread.

    A line: `<stage>: 3/8 tasks done, 120,000 docs read, 850 docs/s, ETA 2m10s`. docs/s counts only documents
    read since this stage started (tasks completed by an earlier run are not new work). The ETA assumes the
    tasks still to finish take as long as those finished so far, so it appears once one task has finished here.

    Args:
        stage: the stage name.
        logging_dir: the stage's logging folder (local).
        tasks: the stage's task count.
        every: seconds between lines.
        stream: where lines go (stderr).
    """

    def __init__(
        self, stage: str, logging_dir: str | os.PathLike, tasks: int, every: float, stream: IO[str] | None = None
    ) -> None:
        self.stage = stage
        self.logging_dir = Path(logging_dir)
        self.tasks = tasks
        self.every = every
        self.stream = stream
        self._counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = time.monotonic()
        self._done0 = self._docs0 = 0

    def __enter__(self) -> StageProgress:
        self._started = time.monotonic()
        self._done0, self._docs0 = self.done(), self.docs()
        self._thread = threading.Thread(target=self._loop, name=f"progress-{self.stage}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            print(self.line(), file=self.stream or sys.stderr, flush=True)

    def done(self) -> int:
        """Tasks of this stage with a completion marker."""
        try:
            names = set(os.listdir(self.logging_dir / COMPLETIONS))
        except OSError:
            return 0
        return sum(f"{rank:05d}" in names for rank in range(self.tasks))

    def docs(self) -> int:
        """Documents read so far, summed over the tasks' progress files (a file caught mid-write keeps its last
        value)."""
        try:
            entries = list(os.scandir(self.logging_dir / PROGRESS))
        except OSError:
            return sum(self._counts.values())
        for entry in entries:
            try:
                self._counts[entry.name] = int(Path(entry.path).read_text())
            except (OSError, ValueError):
                pass
        return sum(self._counts.values())

    def line(self) -> str:
        """The progress line for now."""
        elapsed = max(time.monotonic() - self._started, 1e-9)
        done, docs = self.done(), self.docs()
        rate = (docs - self._docs0) / elapsed
        text = f"      {self.stage}: {done}/{self.tasks} tasks done, {docs:,} docs read, {rate:,.0f} docs/s"
        finished_here = done - self._done0
        if 0 < finished_here and done < self.tasks:
            text += f", ETA {_duration(elapsed / finished_here * (self.tasks - done))}"
        return text


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def run_with_progress(executor: Any, stage: str, every: float | None) -> Any:
    """`executor.run()`, with a progress line every `every` seconds (None: silent) and task counts on disk."""
    if not every:
        return executor.run()
    executor.progress_every = every
    with StageProgress(stage, executor.logging_dir.path, executor.world_size, every):
        return executor.run()
