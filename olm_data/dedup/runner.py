"""Run a list of stages in this process with datatrove's local executor (what `olm-data run` does locally).

Used by the `olm-data dedup` commands and the tests; pipelines go through `olm-data run` instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence


def run_stages(stages: Sequence, logging_dir: str, tasks: int = 1, workers: int = 1) -> None:
    """Run datatrove stages in order, each with its own logging folder `<logging_dir>/<stage name>`.

    Args:
        stages: `olm_data.stage.Stage`s (steps stages only).
        logging_dir: where datatrove writes logs, stats and completion markers (a rerun skips finished tasks).
        tasks: tasks for stages that leave `tasks` unset.
        workers: parallel worker processes for stages that leave `workers` unset (1 = in this process).
    """
    from datatrove.executor import LocalPipelineExecutor

    for stage in stages:
        if stage.action is not None:
            raise ValueError(f"stage {stage.name!r} is an action stage; run it with `olm-data run`")
        n = stage.tasks or tasks
        executor = LocalPipelineExecutor(
            pipeline=stage.steps,
            tasks=n,
            workers=min(stage.workers or workers, n),
            logging_dir=os.path.join(logging_dir, stage.name),
        )
        executor.run()
