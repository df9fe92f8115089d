"""The runtime of `olm-data run`: what a pipeline file sees (`RunContext`, `include_pipeline`) and what runs its
stages (`run_stages` locally; `olm_data.slurm` on a cluster, with the same checks) and ends every run.

Stages run in order; each datatrove stage gets its own logging folder (`<output>/logs/<stage>/`), so a rerun
skips the tasks that already completed (and first removes whatever the unfinished tasks half-wrote, see
`clean_incomplete_outputs`). Every run ends with `finalize_output`: the merged `stats.json`, the lineage
`manifest.json` (`olm_data.manifest`) and `report.html` (`olm_data.report`).

The command itself (flags, the executor choice) is `olm_data.run`; this module imports neither it nor
`olm_data.slurm`, which both build on it.
"""

from __future__ import annotations

import argparse
import dataclasses
import glob
import importlib.util
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from olm_data.errors import UsageError
from olm_data.stage import Stage


@dataclass
class RunContext:
    """What a pipeline file sees of the command line: paths, task counts and the options it declared.

    Args:
        pipeline: path of the pipeline file.
        output: root output folder; stages write under it (`run.out("filtered")`).
        input: input paths/globs/URLs given with `--input`, or None (the pipeline picks its default).
        sample: `--sample`: run on the sample bundled with the package.
        tasks: default number of tasks (shards) per stage.
        workers: default number of tasks run at once.
        limit: documents per task to read (-1: all), for quick looks at real data.
        seed: the run's seed; pipelines pass it to every seeded step.
        keep_rejected: write rejected documents with their drop reason under `<output>/rejected/<step>/`.
        lid_model: a local fastText language-ID model to use instead of the bundled lid.176.ftz.
        options: the pipeline file's own flags (from its `add_arguments`).
        command: the command line as typed (recorded in manifest.json).
        executor: `local` or `slurm` and the executor's settings (recorded in manifest.json).
        models: models the pipeline uses, {name: local path}, declared with `declare_model` so manifest.json
            records their sha256 (steps can instead expose `manifest_models()`; see olm_data.manifest).
        progress_every: seconds between progress lines of a running stage (None: none; olm_data.progress).
        included: output roots of the pipelines included so far (`include_pipeline`), shared with their contexts.
    """

    pipeline: Path
    output: Path
    input: list[str] | None = None
    sample: bool = False
    tasks: int = 1
    workers: int = 1
    limit: int = -1
    seed: int = 42
    keep_rejected: bool = False
    lid_model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    executor: dict[str, Any] = field(default_factory=lambda: {"name": "local"})
    models: dict[str, str] = field(default_factory=dict)
    progress_every: float | None = None
    included: list[Path] = field(default_factory=list)

    def declare_model(self, name: str, path: str | os.PathLike) -> str:
        """Record a model file or folder the run uses (its sha256 goes into manifest.json); returns the path."""
        self.models[name] = os.fspath(path)
        return os.fspath(path)

    def out(self, name: str) -> str:
        """The folder of one named output under the run's output root."""
        return str(self.output / name)

    def rejected_folder(self, step: str = "") -> str | None:
        """The folder for the documents `step` rejects (with their reason), or None without `--keep-rejected`.

        `<output>/rejected/<step>/`: steps and stage factories that take an `exclusion_folder` get it as is;
        those that name their own subfolders (exact dedup: `<folder>/<key>/`) get the root, `rejected_folder()`.
        """
        return str(self.output / "rejected" / step) if self.keep_rejected else None

    def built_earlier(self, path: str | os.PathLike) -> bool:
        """Whether `path` lies in the output of a pipeline included earlier in this run (`include_pipeline`): its
        stages write it before the later ones run, so it need not exist when the stages are wired."""
        path = Path(path)
        return any(path == root or root in path.parents for root in self.included)


def rejected_writer(folder: str | None) -> Any:
    """A parquet writer for the rejected documents of a step (`exclusion_writer=`), or None when `folder` is."""
    if not folder:
        return None
    from datatrove.pipeline.writers import ParquetWriter

    return ParquetWriter(folder)


@dataclass
class IncludedPipeline:
    """Another pipeline file's outputs, for a later stage to read: `wiki.out("lm")`.

    Args:
        stages: its stages, renamed `<name>_<stage>`, to run in this run before the stages that read its
            outputs; empty when it is not built here (its outputs are then where its own run wrote them).
        output: its output root.
        corpus: its final corpus folder under `output` (the file's `OUTPUT` constant), when built here.
    """

    stages: list[Stage]
    output: Path
    corpus: str | None = None

    @property
    def final(self) -> str:
        """The folder of its final corpus (the file's `OUTPUT` constant)."""
        if self.corpus is None:
            raise UsageError(f"{self.output}: the final corpus of a pipeline not built here is unknown")
        return self.out(self.corpus)

    def out(self, name: str) -> str:
        """The folder of one named output of the included pipeline (like `run.out`)."""
        return str(self.output / name)


def default_output(pipeline: str | Path, sample: bool = False) -> Path:
    """Where `olm-data run PIPELINE` writes without `--output`: `out/<pipeline name>[-sample]`."""
    return Path(f"out/{Path(pipeline).stem}{'-sample' if sample else ''}")


def load_pipeline(path: str | Path) -> ModuleType:
    """Import a pipeline file by path; any problem becomes a one-line UsageError."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"pipeline file not found: {path}")
    spec = importlib.util.spec_from_file_location(f"olm_pipeline_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"not a Python pipeline file: {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise UsageError(f"{path}:{e.lineno}: syntax error: {e.msg}") from e
    except ImportError as e:
        raise UsageError(f"{path}: cannot import {e.name or e}: {e}") from e
    if not callable(getattr(module, "stages", None)):
        raise UsageError(f"{path}: a pipeline file must define `stages(run) -> list[Stage]`")
    return module


def include_pipeline(
    run: RunContext, path: str | Path, name: str, build: bool = True, **options: Any
) -> IncludedPipeline:
    """Another pipeline file, run as part of this one and writing under `<output>/<name>/`; its outputs are named
    on the returned handle (`include_pipeline(run, WIKIPEDIA, "wikipedia").out("lm")`).

    The included file gets its own RunContext (its flags at their defaults unless given in `options`, no
    `--input`, the same `--sample`, tasks and seed), its stages are renamed `<name>_<stage>`, and its in-process
    actions receive that context. Its output root counts as built earlier in this run (`run.built_earlier`).

    Args:
        build: False: not run here; the handle names the outputs where `olm-data run <path>` writes them without
            `--output` (`default_output`), and has no stages.
    """
    if not build:
        return IncludedPipeline([], default_output(path, run.sample))
    module = load_pipeline(path)
    if not isinstance(getattr(module, "OUTPUT", None), str):
        raise UsageError(f"{path}: an included pipeline must name its final corpus folder in OUTPUT = '...'")
    parser = argparse.ArgumentParser(add_help=False)
    if callable(getattr(module, "add_arguments", None)):
        module.add_arguments(parser)
    sub = dataclasses.replace(
        run, pipeline=Path(path), output=run.output / name, input=None, options=vars(parser.parse_args([])) | options
    )
    stages = []
    for stage in module.stages(sub):
        action = stage.action and (lambda _run, act=stage.action: act(sub))
        stages.append(dataclasses.replace(stage, name=f"{name}_{stage.name}", action=action))
    run.included.append(sub.output)
    return IncludedPipeline(stages, sub.output, module.OUTPUT)


def run_stages(stages: list[Stage], run: RunContext) -> dict[str, Any]:
    """Run the stages in order with the local executor and return the merged stats of every stage."""
    from olm_data.executors import OlmLocalExecutor
    from olm_data.process_startup import preload_worker_modules
    from olm_data.progress import run_with_progress

    run.output.mkdir(parents=True, exist_ok=True)
    preload_worker_modules(stage.steps for stage in stages)
    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise UsageError(f"{run.pipeline}: stage names must be unique, got {names}")
    for i, stage in enumerate(stages, 1):
        logging_dir = run.output / "logs" / stage.name
        started = time.monotonic()
        print(f"[{i}/{len(stages)}] stage {stage.name} ...", file=sys.stderr, flush=True)
        if stage.action is not None:
            done_marker = logging_dir / "completed"
            if done_marker.exists():
                print(f"      {stage.name}: already completed, skipped", file=sys.stderr)
                continue
            stage.action(run)
            logging_dir.mkdir(parents=True, exist_ok=True)
            done_marker.touch()
        else:
            tasks = stage.tasks or run.tasks
            check_task_count(logging_dir, tasks, stage.name)
            clean_incomplete_outputs(stage.steps, logging_dir, tasks)
            executor = OlmLocalExecutor(
                pipeline=stage.steps,
                tasks=tasks,
                workers=min(stage.workers or run.workers, tasks),
                logging_dir=str(logging_dir),
            )
            run_with_progress(executor, stage.name, run.progress_every)
            check_fetch_outcome(stage.name, logging_dir, tasks, run.options.get("allow_missing") or 0)
        print(f"      {stage.name} done in {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    return collect_stats(stages, run.output)


def check_task_count(logging_dir: Path, tasks: int, stage: str) -> None:
    """Refuse to resume a half-finished stage with a different task count: it would mix two shardings."""
    previous = logging_dir / "executor.json"
    if not previous.exists():
        return
    try:
        earlier = json.loads(previous.read_text()).get("tasks")
    except (OSError, ValueError):
        return
    if earlier is not None and earlier != tasks:
        raise UsageError(
            f"stage {stage!r} in {logging_dir.parent.parent} was started with --tasks {earlier}; resume it with "
            f"--tasks {earlier} or write to a new --output"
        )


def check_fetch_outcome(stage: str, logging_dir: Path, tasks: int, allow_missing: int = 0) -> list[dict[str, Any]]:
    """After a stage: fail the run on tasks that could not fetch a remote file, or on more lost files than allowed.

    Tasks that failed left `failures/<rank>.txt` (olm_data.executors). Files given up on under `--allow-missing N`
    are listed in `missing/<rank>.json`; over N in total, those tasks are marked incomplete again, so that a rerun
    tries their files once more. Returns the files lost within the allowance (printed, kept in the logs).
    """
    from olm_data.errors import TaskFailedError
    from olm_data.executors import FAILURES, MISSING

    completions = logging_dir / "completions"
    failed = [
        (int(f.stem), f.read_text().strip())
        for f in sorted((logging_dir / FAILURES).glob("*.txt"))
        if f.stem.isdigit() and not (completions / f.stem).exists()
    ]
    lost = {int(f.stem): json.loads(f.read_text()) for f in sorted((logging_dir / MISSING).glob("*.json"))}
    total = sum(len(v) for v in lost.values())
    lines = [f"task {rank}: {reason}" for rank, reason in failed]
    if total > allow_missing:
        for rank in lost:
            (completions / f"{rank:05d}").unlink(missing_ok=True)
            (logging_dir / MISSING / f"{rank:05d}.json").unlink()
        lines += [f"task {r}: {m['file']}: {m['reason']} (lost)" for r, ms in lost.items() for m in ms]
    if failed or total > allow_missing:
        head = f"stage {stage}: {len(failed) + (len(lost) if total > allow_missing else 0)} of {tasks} tasks failed"
        if total > allow_missing:
            head += f"; {total} remote file(s) could not be fetched, more than --allow-missing {allow_missing}"
        raise TaskFailedError(
            "\n".join(
                [head + ":", *(f"  {line}" for line in lines[:20])]
                + ([f"  ... and {len(lines) - 20} more (logs: {logging_dir / 'logs'})"] if len(lines) > 20 else [])
                + ["rerun the same command to resume: completed tasks are kept, only the failed ones run again"]
            )
        )
    missing = [m for ms in lost.values() for m in ms]
    for m in missing:
        print(
            f"      warning: {m['file']} could not be fetched ({m['reason']}); skipped under --allow-missing",
            file=sys.stderr,
        )
    return missing


def clean_incomplete_outputs(steps: list[Any], logging_dir: Path, tasks: int) -> list[Path]:
    """Delete the files that unfinished tasks of a stage may have half-written, before they run again.

    A task killed mid-write leaves a parquet file without its footer. Rerunning the task rewrites a file of the
    same name ("wb") only if it writes at least one document to it: a file it no longer writes (another
    `max_file_size` part, a `${language}` folder) would stay behind, stale. So every file the stage's writers
    (and filters' `exclusion_writer`s) name after an unfinished rank is removed first. Only local folders and
    only templates with `${rank}` are touched: those files belong to exactly one task.

    Returns:
        The files removed.
    """
    from datatrove.pipeline.writers.disk_base import DiskWriter

    writers = []
    for step in steps:
        for candidate in (step, getattr(step, "exclusion_writer", None)):
            if isinstance(candidate, DiskWriter):
                writers.append(candidate)
    completions = logging_dir / "completions"
    unfinished = [r for r in range(tasks) if not (completions / f"{r:05d}").exists()]
    if not writers or not unfinished:
        return []
    removed: list[Path] = []
    for writer in writers:
        folder = writer.output_folder
        template = writer.output_filename.template
        if not folder.is_local() or "${rank}" not in template:
            continue
        root = Path(folder.path)
        if not root.is_dir():
            continue
        pattern = re.sub(r"\$\{(?!rank\})[^}]*\}", "\x00", template)
        for rank in unfinished:
            rel = glob.escape(pattern.replace("${rank}", f"{rank:05d}")).replace("\x00", "*")
            if writer.max_file_size > 0:  # datatrove names the parts 000_<name>, 001_<name>, ...
                head, _, tail = rel.rpartition("/")
                rel = (head + "/" if head else "") + "[0-9][0-9][0-9]_" + tail
            for path in sorted(root.glob(rel)):
                if path.is_file():
                    path.unlink()
                    removed.append(path)
    if removed:
        print(
            f"      removed {len(removed)} file(s) left by unfinished tasks in {logging_dir.name}: "
            + ", ".join(str(p.relative_to(logging_dir.parent.parent)) for p in removed[:5])
            + (" ..." if len(removed) > 5 else ""),
            file=sys.stderr,
        )
    return removed


def finalize_output(
    run: RunContext, stage_names: list[str], plan: dict[str, Any] | None = None, stats: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The end of every run: merged `stats.json`, lineage `manifest.json`, and `report.html`.

    Runs in-process after a local run (which passes the `stats` run_stages already merged and wrote) and as the
    last job of a SLURM run. A report that fails to render is a warning (the corpus is fine); a manifest that
    cannot be written is an error (lineage is part of the output).
    """
    from olm_data.manifest import write_manifest

    if stats is None:
        stats = collect_stats(stage_names, run.output)
    write_manifest(run.output, plan or {})
    try:
        from olm_data.report import write_report

        write_report(run.output)
    except Exception as e:  # the report reads other helpers' files; it must never fail a finished run
        print(f"olm-data: warning: report.html not written: {type(e).__name__}: {e}", file=sys.stderr)
    return stats


def collect_stats(stages: list[Stage] | list[str], output: Path) -> dict[str, Any]:
    """Merge the per-task stats datatrove wrote for each stage (also those of tasks completed by earlier runs)."""
    from datatrove.utils.stats import PipelineStats

    merged: dict[str, Any] = {}
    for stage in stages:
        name = stage if isinstance(stage, str) else stage.name
        stats_dir = output / "logs" / name / "stats"
        files = sorted(stats_dir.glob("*.json")) if stats_dir.is_dir() else []
        if not files:
            continue
        total = sum((PipelineStats.from_json(json.loads(f.read_text())) for f in files), start=PipelineStats())
        merged[name] = [_step_summary(s.to_dict()) for s in total.stats]
    # stages in pipeline order (a funnel reads top to bottom); keys inside each step sorted, for stable diffs
    ordered = {stage: [_sorted_dict(step) for step in steps] for stage, steps in merged.items()}
    (output / "stats.json").write_text(json.dumps(ordered, indent=2) + "\n")
    return merged


def _sorted_dict(value: Any) -> Any:
    return {k: _sorted_dict(value[k]) for k in sorted(value)} if isinstance(value, dict) else value


def _step_summary(step: dict[str, Any]) -> dict[str, Any]:
    """Flatten one step's datatrove stats to {step, counts, chars, seconds} for the table and stats.json."""
    counts: dict[str, int] = {}
    chars = docs = None
    for key, value in step.get("stats", {}).items():
        if key == "doc_len":
            chars, docs = _chars_and_docs(value)
        elif isinstance(value, dict) and "total" in value:
            counts[key] = int(value["total"])
        elif isinstance(value, int | float):
            counts[key] = int(value)
    timing = step.get("time_stats") or 0.0  # a step that never timed itself has time_stats 0
    seconds = float(timing.get("total", 0.0) if isinstance(timing, dict) else timing)
    name = " ".join(re.sub(r"[^\x20-\x7e]", " ", step["name"]).replace(" - ", " ").split())
    return {"step": name, "counts": counts, "docs": docs, "chars": chars, "seconds": round(seconds, 3)}


def _chars_and_docs(doc_len: Any) -> tuple[int, int]:
    """Characters and documents of datatrove's `doc_len` stat, which leaves `n` out when it is 1 or equals the
    total (and is a bare number when the mean is 1 too): then n = total / mean, with mean 1 when absent."""
    if not isinstance(doc_len, dict):
        return int(doc_len), int(doc_len)
    chars = int(doc_len.get("total", 0))
    if "n" in doc_len:
        return chars, int(doc_len["n"])
    mean = float(doc_len.get("mean", 1.0))
    return chars, round(chars / mean) if mean else 0


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1, with a one-line message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value
