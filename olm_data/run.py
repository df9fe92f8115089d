"""`olm-data run PIPELINE_FILE`: load a pipeline file, wrap its stages in executors, run them, report stats.

A pipeline file is plain Python with a `stages(run) -> list[Stage]` function (and optionally
`add_arguments(parser)` for its own flags). It never chooses an executor: this module does, from the flags, so
the same file runs on a laptop and on a cluster. Stages run in order; each datatrove stage gets its own
logging folder (`<output>/logs/<stage>/`), so a rerun skips the tasks that already completed (and first removes
whatever the unfinished tasks half-wrote, see `clean_incomplete_outputs`).

`--executor local` (default) runs the stages here with datatrove's LocalPipelineExecutor; `--executor slurm`
submits them as array jobs (`olm_data.slurm`). Either way the run ends with `finalize_output`: the merged
`stats.json`, the lineage `manifest.json` (`olm_data.manifest`) and `report.html` (`olm_data.report`).
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
from olm_data.locking import lock_output
from olm_data.stage import Stage

SNAPSHOT_NAME = re.compile(r"^CC-MAIN-\d{4}-\d{2}$")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


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

    def declare_model(self, name: str, path: str | os.PathLike) -> str:
        """Record a model file or folder the run uses (its sha256 goes into manifest.json); returns the path."""
        self.models[name] = os.fspath(path)
        return os.fspath(path)

    def out(self, name: str) -> str:
        """The folder of one named output under the run's output root."""
        return str(self.output / name)

    def rejected(self, step: str) -> Any:
        """A writer for the documents `step` rejects (with their reason), or None without `--keep-rejected`."""
        if not self.keep_rejected:
            return None
        from datatrove.pipeline.writers import ParquetWriter

        return ParquetWriter(str(self.output / "rejected" / step))


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


def include_pipeline(run: RunContext, path: str | Path, name: str, **options: Any) -> tuple[list[Stage], str]:
    """Another pipeline file's stages, run as part of this one, writing under `<output>/<name>/`.

    The included file gets its own RunContext (its flags at their defaults unless given in `options`, no
    `--input`, the same `--sample`, tasks and seed), its stages are renamed `<name>_<stage>`, and its in-process
    actions receive that context.

    Returns:
        The stages and the folder of the included pipeline's final corpus (the file's `OUTPUT` constant).
    """
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
    return stages, sub.out(module.OUTPUT)


def check_inputs(inputs: list[str]) -> None:
    """Fail early on a local input path or glob that matches nothing; URLs and snapshot names pass through.

    An existing file or folder is taken literally before any glob expansion: `x y [1].warc.gz` is that file.
    """
    for item in inputs:
        if URL_SCHEME.match(item) or SNAPSHOT_NAME.match(item) or os.path.exists(os.path.expanduser(item)):
            continue
        if not glob.glob(os.path.expanduser(item)):
            raise UsageError(f"input not found: {item}")


def run_stages(stages: list[Stage], run: RunContext) -> dict[str, Any]:
    """Run the stages in order with the local executor and return the merged stats of every stage."""
    from olm_data.executors import OlmLocalExecutor
    from olm_data.progress import run_with_progress

    run.output.mkdir(parents=True, exist_ok=True)
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


def format_stats_table(stats: dict[str, Any]) -> str:
    """A short human-readable funnel: one line per step with docs in/out and the drop reasons."""
    width = max([5, *map(len, stats)])
    lines = [f"{'stage':<{width}} {'step':<34} {'in':>8} {'out':>8}  details (drop reasons, chars of the output)"]
    for stage, steps in stats.items():
        for step in steps:
            counts = dict(step["counts"])
            docs_in = counts.pop("total", "")
            docs_out = counts.pop("forwarded", step["docs"] if step["docs"] is not None else "")
            detail = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if v)
            if step["chars"]:
                detail = (detail + ", " if detail else "") + f"chars={step['chars']}"
            lines.append(f"{stage:<{width}} {step['step'][:34]:<34} {docs_in!s:>8} {docs_out!s:>8}  {detail}")
    return "\n".join(lines)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags every pipeline accepts."""
    parser.add_argument("pipeline", help="pipeline file, e.g. pipelines/cc_2022_49.py")
    parser.add_argument("--input", nargs="+", help="input files, folders, globs or URLs (default: the pipeline's)")
    parser.add_argument("--output", help="output folder (default: out/<pipeline name>[-sample])")
    parser.add_argument("--sample", action="store_true", help="run on the sample bundled with the package")
    parser.add_argument(
        "--executor",
        choices=["local", "slurm"],
        default="local",
        help="where tasks run: here, or as SLURM array jobs (default: local)",
    )
    parser.add_argument("--tasks", type=positive_int, default=1, help="tasks (shards) per stage (default: 1)")
    parser.add_argument(
        "--workers", type=positive_int, default=None, help="tasks run at once (default: CPUs; on SLURM: no limit)"
    )
    parser.add_argument("--limit", type=int, default=-1, help="read at most N documents per task (default: all)")
    parser.add_argument("--seed", type=int, default=42, help="seed for every sampled step (default: 42)")
    parser.add_argument("--keep-rejected", action="store_true", help="write rejected documents to OUT/rejected/")
    parser.add_argument("--lid-model", help="a local fastText language-ID model (default: bundled lid.176.ftz)")
    from olm_data.progress import add_progress_arguments
    from olm_data.slurm import add_slurm_arguments

    add_progress_arguments(parser)  # --quiet, --progress-every
    add_slurm_arguments(parser)


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1, with a one-line message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def main_run(args: argparse.Namespace, pipeline: ModuleType) -> int:
    """Entry point of `olm-data run` once the flags are parsed."""
    from olm_data.manifest import plan_manifest
    from olm_data.progress import progress_every
    from olm_data.slurm import options_from_args, slurm_unavailable_reason

    slurm = options_from_args(args)
    if slurm is not None and (reason := slurm_unavailable_reason()):
        raise UsageError(f"--executor slurm: {reason}")
    if args.input:
        check_inputs(args.input)
    if args.lid_model and not Path(args.lid_model).is_file():
        raise UsageError(f"--lid-model: file not found: {args.lid_model}")
    stem = Path(args.pipeline).stem
    output = Path(args.output or f"out/{stem}{'-sample' if args.sample else ''}")
    lock_output(output)  # one run per output folder; a one-line error for a file, a read-only or a busy output
    common = {a.dest for a in _common_actions()}
    if slurm is None:
        workers = args.workers or min(args.tasks, os.cpu_count() or 1)
    else:
        workers = args.workers or args.tasks  # SLURM: as many at once as the cluster gives
    run = RunContext(
        pipeline=Path(args.pipeline),
        output=output,
        input=args.input,
        sample=args.sample,
        tasks=args.tasks,
        workers=workers,
        limit=args.limit,
        seed=args.seed,
        keep_rejected=args.keep_rejected,
        lid_model=args.lid_model,
        options={k: v for k, v in vars(args).items() if k not in common and k not in ("func", "argv", "command")},
        command=list(getattr(args, "argv", None) or ["olm-data", "run", *sys.argv[1:]]),
        executor={"name": args.executor, **(slurm.as_dict() if slurm else {})},
        progress_every=progress_every(args),
    )
    stages = pipeline.stages(run)
    started = time.monotonic()
    plan = plan_manifest(stages, run)
    if slurm is not None:
        return _main_slurm(stages, run, slurm, plan)
    stats = finalize_output(run, [s.name for s in stages], plan, stats=run_stages(stages, run))
    print(format_stats_table(stats))
    print(
        f"\noutput: {output}  (stats: {output / 'stats.json'}, manifest: {output / 'manifest.json'}, "
        f"report: {output / 'report.html'}, {time.monotonic() - started:.1f}s)"
    )
    from olm_data.funnel import print_outcome

    return print_outcome(stats, output)


def _main_slurm(stages: list[Stage], run: RunContext, slurm: Any, plan: dict[str, Any]) -> int:
    """Submit the stages; with --wait, follow them to the end and print the funnel (exit 1 if tasks failed)."""
    from olm_data.slurm import submit_stages, wait_for

    names = [s.name for s in stages]
    if len(set(names)) != len(names):
        raise UsageError(f"{run.pipeline}: stage names must be unique, got {names}")
    started = time.monotonic()
    submitted = submit_stages(stages, run, slurm, plan)
    if not any(s.job_ids for s in submitted):  # nothing to run: finished in-process
        print(format_stats_table(json.loads((run.output / "stats.json").read_text())))
        return 0
    if not slurm.wait:
        return 0
    problems = wait_for(submitted, slurm.poll_seconds)
    stats_file = run.output / "stats.json"
    for problem in problems:
        print(f"olm-data: {problem}", file=sys.stderr)
    if problems:
        print("olm-data: rerun the same command to submit only the tasks that did not complete", file=sys.stderr)
        return 1
    final = submitted[-1]
    if not stats_file.exists() or stats_file.stat().st_mtime < started - 1:
        print(
            f"olm-data: the end-of-run job {final.job_ids} did not finish; logs: {final.logging_dir}", file=sys.stderr
        )
        return 1
    print(format_stats_table(json.loads(stats_file.read_text())))
    print(f"\noutput: {run.output}  (manifest: manifest.json, report: report.html, {time.monotonic() - started:.1f}s)")
    return 0


def _common_actions() -> list[argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    add_run_arguments(parser)
    return parser._actions
