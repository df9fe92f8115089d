"""`olm-data run PIPELINE_FILE`: load a pipeline file, wrap its stages in executors, run them, report stats.

A pipeline file is plain Python with a `stages(run) -> list[Stage]` function (and optionally
`add_arguments(parser)` for its own flags). It never chooses an executor: this module does, from the flags, so
the same file runs on a laptop and on a cluster. Stages run in order; each datatrove stage gets its own
logging folder (`<output>/logs/<stage>/`), so a rerun skips the tasks that already completed.
"""

from __future__ import annotations

import argparse
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


def check_inputs(inputs: list[str]) -> None:
    """Fail early on a local input path or glob that matches nothing; URLs and snapshot names pass through."""
    for item in inputs:
        if URL_SCHEME.match(item) or SNAPSHOT_NAME.match(item):
            continue
        if not glob.glob(os.path.expanduser(item)):
            raise UsageError(f"input not found: {item}")


def run_stages(stages: list[Stage], run: RunContext) -> dict[str, Any]:
    """Run the stages in order with the local executor and return the merged stats of every stage."""
    from datatrove.executor import LocalPipelineExecutor

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
            executor = LocalPipelineExecutor(
                pipeline=stage.steps,
                tasks=tasks,
                workers=min(stage.workers or run.workers, tasks),
                logging_dir=str(logging_dir),
            )
            executor.run()
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


def collect_stats(stages: list[Stage], output: Path) -> dict[str, Any]:
    """Merge the per-task stats datatrove wrote for each stage (also those of tasks completed by earlier runs)."""
    from datatrove.utils.stats import PipelineStats

    merged: dict[str, Any] = {}
    for stage in stages:
        stats_dir = output / "logs" / stage.name / "stats"
        files = sorted(stats_dir.glob("*.json")) if stats_dir.is_dir() else []
        if not files:
            continue
        total = sum((PipelineStats.from_json(json.loads(f.read_text())) for f in files), start=PipelineStats())
        merged[stage.name] = [_step_summary(s.to_dict()) for s in total.stats]
    (output / "stats.json").write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    return merged


def _step_summary(step: dict[str, Any]) -> dict[str, Any]:
    """Flatten one step's datatrove stats to {step, counts, chars, seconds} for the table and stats.json."""
    counts: dict[str, int] = {}
    chars = docs = None
    for key, value in step.get("stats", {}).items():
        if key == "doc_len" and isinstance(value, dict):
            chars, docs = int(value.get("total", 0)), int(value.get("n", 0))
        elif isinstance(value, dict) and "total" in value:
            counts[key] = int(value["total"])
        elif isinstance(value, int | float):
            counts[key] = int(value)
    seconds = float(step.get("time_stats", {}).get("total", 0.0))
    name = " ".join(re.sub(r"[^\x20-\x7e]", " ", step["name"]).replace(" - ", " ").split())
    return {"step": name, "counts": counts, "docs": docs, "chars": chars, "seconds": round(seconds, 3)}


def format_stats_table(stats: dict[str, Any]) -> str:
    """A short human-readable funnel: one line per step with docs in/out and the drop reasons."""
    lines = [f"{'stage':<10} {'step':<34} {'in':>8} {'out':>8}  details (drop reasons, chars of the output)"]
    for stage, steps in stats.items():
        for step in steps:
            counts = dict(step["counts"])
            docs_in = counts.pop("total", "")
            docs_out = counts.pop("forwarded", step["docs"] if step["docs"] is not None else "")
            detail = ", ".join(f"{k}={v}" for k, v in sorted(counts.items()) if v)
            if step["chars"]:
                detail = (detail + ", " if detail else "") + f"chars={step['chars']}"
            lines.append(f"{stage:<10} {step['step'][:34]:<34} {docs_in!s:>8} {docs_out!s:>8}  {detail}")
    return "\n".join(lines)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags every pipeline accepts."""
    parser.add_argument("pipeline", help="pipeline file, e.g. pipelines/cc_2022_49.py")
    parser.add_argument("--input", nargs="+", help="input files, folders, globs or URLs (default: the pipeline's)")
    parser.add_argument("--output", help="output folder (default: out/<pipeline name>[-sample])")
    parser.add_argument("--sample", action="store_true", help="run on the sample bundled with the package")
    parser.add_argument("--executor", choices=["local"], default="local", help="where tasks run (default: local)")
    parser.add_argument("--tasks", type=_positive_int, default=1, help="tasks (shards) per stage (default: 1)")
    parser.add_argument("--workers", type=_positive_int, default=None, help="tasks run at once (default: CPUs)")
    parser.add_argument("--limit", type=int, default=-1, help="read at most N documents per task (default: all)")
    parser.add_argument("--seed", type=int, default=42, help="seed for every sampled step (default: 42)")
    parser.add_argument("--keep-rejected", action="store_true", help="write rejected documents to OUT/rejected/")
    parser.add_argument("--lid-model", help="a local fastText language-ID model (default: bundled lid.176.ftz)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def main_run(args: argparse.Namespace, pipeline: ModuleType) -> int:
    """Entry point of `olm-data run` once the flags are parsed."""
    if args.input:
        check_inputs(args.input)
    if args.lid_model and not Path(args.lid_model).is_file():
        raise UsageError(f"--lid-model: file not found: {args.lid_model}")
    stem = Path(args.pipeline).stem
    output = Path(args.output or f"out/{stem}{'-sample' if args.sample else ''}")
    common = {a.dest for a in _common_actions()}
    run = RunContext(
        pipeline=Path(args.pipeline),
        output=output,
        input=args.input,
        sample=args.sample,
        tasks=args.tasks,
        workers=args.workers or min(args.tasks, os.cpu_count() or 1),
        limit=args.limit,
        seed=args.seed,
        keep_rejected=args.keep_rejected,
        lid_model=args.lid_model,
        options={k: v for k, v in vars(args).items() if k not in common and k != "func"},
    )
    stages = pipeline.stages(run)
    started = time.monotonic()
    stats = run_stages(stages, run)
    print(format_stats_table(stats))
    print(f"\noutput: {output}  (stats: {output / 'stats.json'}, {time.monotonic() - started:.1f}s)")
    return 0


def _common_actions() -> list[argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    add_run_arguments(parser)
    return parser._actions
