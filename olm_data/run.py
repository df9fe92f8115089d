"""`olm-data run PIPELINE_FILE`: load a pipeline file, wrap its stages in executors, run them, report stats.

A pipeline file is plain Python with a `stages(run) -> list[Stage]` function (and optionally
`add_arguments(parser)` for its own flags). It never chooses an executor: this module does, from the flags, so
the same file runs on a laptop and on a cluster. What the file sees (`RunContext`, `include_pipeline`) and what
runs the stages (`run_stages`, `finalize_output`, ...) live in `olm_data.runtime`.

`--executor local` (default) runs the stages here with datatrove's LocalPipelineExecutor; `--executor slurm`
submits them as array jobs (`olm_data.slurm`). Either way the run ends with `finalize_output`: the merged
`stats.json`, the lineage `manifest.json` (`olm_data.manifest`) and `report.html` (`olm_data.report`).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from olm_data.errors import UsageError
from olm_data.locking import lock_output
from olm_data.process_startup import fast_dependency_checks
from olm_data.readers.remote import is_url
from olm_data.runtime import RunContext, default_output, finalize_output, positive_int, run_stages
from olm_data.stage import Stage

SNAPSHOT_NAME = re.compile(r"^CC-MAIN-\d{4}-\d{2}$")


def check_inputs(inputs: list[str]) -> None:
    """Fail early on a local input path or glob that matches nothing; URLs and snapshot names pass through.

    An existing file or folder is taken literally before any glob expansion: `x y [1].warc.gz` is that file.
    """
    for item in inputs:
        if is_url(item) or SNAPSHOT_NAME.match(item) or os.path.exists(os.path.expanduser(item)):
            continue
        if not glob.glob(os.path.expanduser(item)):
            raise UsageError(f"input not found: {item}")


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


def main_run(args: argparse.Namespace, pipeline: ModuleType) -> int:
    """Entry point of `olm-data run` once the flags are parsed."""
    from olm_data.manifest import plan_manifest
    from olm_data.progress import progress_every
    from olm_data.slurm import options_from_args, slurm_unavailable_reason

    slurm = options_from_args(args)
    if slurm is not None and getattr(args, "allow_missing", 0):
        # the cap is checked between stages; SLURM queues every stage at once (afterok), so the next stages would
        # already have read a corpus with more holes than allowed. 0 (the default) fails the task, which holds them
        raise UsageError("--allow-missing is checked between stages and works with the local executor only")
    if slurm is not None and (reason := slurm_unavailable_reason()):
        raise UsageError(f"--executor slurm: {reason}")
    if args.input:
        check_inputs(args.input)
    if args.lid_model and not Path(args.lid_model).is_file():
        raise UsageError(f"--lid-model: file not found: {args.lid_model}")
    output = Path(args.output) if args.output else default_output(args.pipeline, args.sample)
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
    fast_dependency_checks()  # before the pipeline file creates its steps
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
    stats = json.loads(stats_file.read_text())
    print(format_stats_table(stats))
    print(f"\noutput: {run.output}  (manifest: manifest.json, report: report.html, {time.monotonic() - started:.1f}s)")
    from olm_data.funnel import print_outcome

    return print_outcome(stats, run.output)  # input health and where the documents went, as after a local run


def _common_actions() -> list[argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    add_run_arguments(parser)
    return parser._actions
