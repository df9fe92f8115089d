"""Run dedup stages outside a pipeline file (the `olm-data dedup` commands, `build_index`, the tests).

A thin front to `olm_data.runtime.run_stages`, so these runs get exactly what `olm-data run` does locally: a logging
folder per stage, resume of completed tasks, removal of half-written files, the task-count check, stats.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def run_stages(stages: Sequence, logging_dir: str, tasks: int = 1, workers: int = 1) -> None:
    """Run the stages in order; logs and stats go to `<logging_dir>/logs/<stage>/` and `<logging_dir>/stats.json`.

    Args:
        stages: `olm_data.stage.Stage`s.
        logging_dir: the folder for datatrove's logs, stats and completion markers (a rerun skips finished tasks).
        tasks: tasks for stages that leave `tasks` unset.
        workers: parallel worker processes for stages that leave `workers` unset (1 = in this process).
    """
    from olm_data.errors import UsageError
    from olm_data.readers.remote import is_url
    from olm_data.runtime import RunContext
    from olm_data.runtime import run_stages as run_pipeline_stages

    if is_url(logging_dir):  # datatrove's completion markers and stats.json go through local paths here
        raise UsageError(
            f"logs at {logging_dir}: work or index folders may be remote (s3://...), logs must be a local or shared "
            "folder: give --logs"
        )
    context = RunContext(pipeline=Path("<dedup>"), output=Path(logging_dir), tasks=tasks, workers=workers)
    run_pipeline_stages(list(stages), context)
