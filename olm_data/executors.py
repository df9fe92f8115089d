"""datatrove pieces of the SLURM route (`olm_data.slurm`): the executor subclass and the steps that run a
stage's in-process function, or the end of the run, as a SLURM task."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from datatrove.executor.local import LocalPipelineExecutor
from datatrove.executor.slurm import SlurmPipelineExecutor
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.logging import logger
from datatrove.utils.stats import PipelineStats

from olm_data.errors import UsageError
from olm_data.process_startup import fast_dependency_checks, fast_logger_setup
from olm_data.progress import ReportsProgress
from olm_data.readers.remote import FetchError

fast_dependency_checks()  # a worker unpickling the steps below checks their dependencies again
fast_logger_setup()  # every task adds its own log handlers

FAILURES = "failures"  # logs/<stage>/failures/<rank>.txt: why a task failed, one line (a file it could not fetch)
MISSING = "missing"  # logs/<stage>/missing/<rank>.json: remote files a task gave up on under --allow-missing
DAMAGE = "damage"  # logs/<stage>/damage/<rank>.json: where the task's readers met damaged input (file @ offset)


class RecordsTaskOutcome:
    """Executor mixin: a task that fails on a remote file it cannot fetch leaves a one-line reason, not a traceback.

    datatrove logs every task exception with its traceback and, in a local worker pool, the first one tears the
    pool down, killing the tasks still running. A `FetchError` is an outcome, not a bug: the task is left
    incomplete (a rerun does it again), its reason goes to `failures/<rank>.txt` for the runtime to print, and
    locally (`raise_fetch_errors=False`) the other tasks go on. On SLURM the task still exits non-zero, so that
    `afterok` holds back the next stage. Remote files skipped under `--allow-missing` go to `missing/<rank>.json`.
    Other exceptions behave as in datatrove.
    """

    raise_fetch_errors = True

    def _run_for_rank(self, rank: int, local_rank: int = 0, node_rank: int = -1) -> PipelineStats:
        logger.configure(patcher=_no_traceback_for_fetch_errors)
        failure = f"{FAILURES}/{rank:05d}.txt"
        try:
            stats = super()._run_for_rank(rank, local_rank, node_rank)
        except FetchError as e:
            with self.logging_dir.open(failure, "w") as f:
                f.write(f"{e}\n")
            if self.raise_fetch_errors:
                raise
            return PipelineStats()
        if self.logging_dir.exists(failure):
            self.logging_dir.rm(failure)
        # what the steps kept for the end of the run: remote files lost under --allow-missing (the reader's
        # `missing_files`), where readers met damage (`damage_samples`, olm_data.funnel.record_damage)
        for folder, attribute in ((MISSING, "missing_files"), (DAMAGE, "damage_samples")):
            entries = [e for step in self.pipeline for e in getattr(step, attribute, None) or []]
            name = f"{folder}/{rank:05d}.json"
            if entries:
                with self.logging_dir.open(name, "w") as f:
                    json.dump(entries, f)
            elif self.logging_dir.exists(name):  # left by an earlier try of this task
                self.logging_dir.rm(name)
        return stats


def _no_traceback_for_fetch_errors(record: dict) -> None:
    exception = record.get("exception")
    if exception is not None and isinstance(exception.value, FetchError):
        record["exception"] = None


class OlmLocalExecutor(ReportsProgress, RecordsTaskOutcome, LocalPipelineExecutor):
    """datatrove's LocalPipelineExecutor; a task that cannot fetch a file fails alone (see RecordsTaskOutcome);
    with `progress_every` set, tasks count the documents they read for the progress lines (olm_data.progress)."""

    raise_fetch_errors = False


_JOB_ID = re.compile(r"Submitted batch job (\d+)")


class JobIdRecorder:
    """datatrove's `job_id_retriever`, keeping every id it sees (one per array chunk)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def __call__(self, sbatch_output: str) -> str:
        m = _JOB_ID.search(sbatch_output)
        if not m:
            raise UsageError(f"sbatch did not return a job id: {sbatch_output.strip()!r}")
        self.ids.append(m.group(1))
        return m.group(1)


class OlmSlurmExecutor(RecordsTaskOutcome, SlurmPipelineExecutor):
    """datatrove's SlurmPipelineExecutor, leaving unset options to the cluster and without the merge-stats job
    (`olm-data` merges the stats of every stage in its end-of-run job); fetch failures as in RecordsTaskOutcome."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("job_id_retriever", JobIdRecorder())
        super().__init__(*args, **kwargs)

    def get_sbatch_args(self, max_array: int = 1) -> dict:
        args = super().get_sbatch_args(max_array)
        return {k: v for k, v in args.items() if v is not None}  # partition/time/qos None: the cluster decides

    def launch_merge_stats(self) -> None:
        pass

    @property
    def launched_job_ids(self) -> list[str]:
        retriever = self.job_id_retriever
        return list(retriever.ids) if isinstance(retriever, JobIdRecorder) else []


class ActionStep(PipelineStep):
    """Runs an in-process stage function (`Stage(name, action=fn)`) as a SLURM task: `fn(run)` on a compute node.

    Args:
        stage: the stage name (for logs).
        action: the stage's function; pickled with the executor (dill pickles functions of pipeline files by value).
        run: the run's context, as the function would get it locally.
        marker: file touched after success, the same marker a local run writes for an action stage.
    """

    name = "⚙️ action"
    type = "🔧 - ACTION"

    def __init__(self, stage: str, action: Any, run: Any, marker: str | None = None) -> None:
        super().__init__()
        self.stage = stage
        self.action = action
        self.run_context = run
        self.marker = marker

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1):
        with self.track_time():
            self.action(self.run_context)
        if self.marker:
            Path(self.marker).parent.mkdir(parents=True, exist_ok=True)
            Path(self.marker).touch()
        self.stat_update("actions_run")
        return
        yield  # a generator, like every step, though it yields no documents


class FinalizeStep(PipelineStep):
    """The end-of-run job: merge stats, write manifest.json and report.html.

    Args:
        finalize: `olm_data.runtime.finalize_output`, passed in (and pickled by reference) so that this module
            does not import the runtime, which imports it.
        run: the run's context.
        stage_names: the stages whose stats are merged.
        plan: the manifest plan made before the run.
    """

    name = "🧾 finalize"
    type = "🔧 - ACTION"

    def __init__(self, finalize: Any, run: Any, stage_names: list[str], plan: dict[str, Any]) -> None:
        super().__init__()
        self.finalize = finalize
        self.run_context = run
        self.stage_names = stage_names
        self.plan = plan

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1):
        with self.track_time():
            self.finalize(self.run_context, self.stage_names, self.plan)
        return
        yield
