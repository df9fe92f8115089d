"""What a pipeline file returns: a list of stages, each a datatrove pipeline or a plain in-process action.

The pipeline file declares stages; it never chooses an executor. `olm-data run` wraps each datatrove stage in
the executor the flags ask for (local now, SLURM later) and chains them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stage:
    """One stage of a pipeline.

    Args:
        name: short name; logs and stats go to `<output>/logs/<name>/`.
        steps: datatrove pipeline steps (readers, extractors, filters, writers) run by the executor.
        tasks: how many tasks (shards) this stage runs; None means the run's `--tasks`.
        workers: how many tasks run at once; None means the run's `--workers`.
        action: instead of `steps`, a function called once in-process (e.g. train a tokenizer); it receives
            the RunContext. Used for small single-process steps between datatrove stages.
    """

    name: str
    steps: list[Any] = field(default_factory=list)
    tasks: int | None = None
    workers: int | None = None
    action: Callable[[Any], None] | None = None

    def __post_init__(self) -> None:
        if bool(self.steps) == (self.action is not None):
            raise ValueError(f"stage {self.name!r}: give either steps or an action, not both or neither")
