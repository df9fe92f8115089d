"""`olm-data run --executor slurm`: each stage becomes a SLURM array job through datatrove's SlurmPipelineExecutor.

What this module adds to datatrove's executor, and why:

* **Chaining on every array chunk.** A stage with more tasks than the cluster's `MaxArraySize` is submitted as
  several array jobs (datatrove launches them one after the other, each `afterany` the previous). datatrove's
  `depends=` makes the next stage wait for the *last* chunk only, so a failed first chunk would not stop it;
  here the next stage waits `afterok` on every chunk of the stage before it.
* **Cluster defaults stay defaults.** `--partition`, `--time` and `--qos` are left out of the sbatch script when
  not given (datatrove writes `--qos=normal`, which clusters without that QOS reject).
* **Safe relaunch.** Rerunning the same command submits only the tasks without a completion marker (datatrove's
  `skip_completed`), after removing what those tasks may have half-written; it refuses while jobs of an earlier
  launch of the same output are still queued or running (they would read the new task list).
* **Action stages** (in-process functions such as "merge histograms") run as a 1-task job: `ActionStep` calls the
  function with the run's context on a compute node. So a pipeline with actions runs unchanged on SLURM.
* **The end of the run** (stats.json, manifest.json, report.html) is one more 1-task job after the last stage, so
  `olm-data run` can return as soon as everything is submitted. `--wait` polls `squeue` (no `sacct` needed)
  until the jobs leave the queue, then prints the funnel like a local run.

The datatrove classes (the executor, the action and end-of-run steps) are in `olm_data.executors`, so that the
flags here cost nothing to import (`olm-data --help`).

Launch from a login node, not from inside a SLURM array job. The output folder must be on a file system the
compute nodes share, and the Python environment must be reachable from them (its `activate` script is sourced).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olm_data.errors import UsageError
from olm_data.runtime import positive_int

if TYPE_CHECKING:
    from olm_data.runtime import RunContext
    from olm_data.stage import Stage

FINALIZE_DIR = "_olm_finalize"  # logs of the end-of-run job, under <output>/logs/
JOBS_FILE = "slurm_jobs.json"  # job ids of the latest launch of a stage, in its logging folder
DEFAULT_MAX_ARRAY_SIZE = 1001  # Slurm's default MaxArraySize
_MANAGED_SBATCH_KEYS = {"array", "dependency", "output", "error", "job-name"}
_DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE"}


@dataclass
class SlurmOptions:
    """The `--executor slurm` flags.

    Args:
        partition: partition to submit to; None means the cluster's default partition.
        time: time limit per task (e.g. 10:00:00); None means the partition's default.
        cpus_per_task: CPUs per task.
        mem_per_cpu_gb: memory per CPU in GB.
        qos: quality of service; None leaves it out (clusters without QOS reject unknown ones).
        account: account to charge.
        sbatch_args: any other sbatch option, `{"constraint": "cpu", "exclusive": ""}`.
        max_array_size: most tasks per array job; None means the cluster's `MaxArraySize`.
        wait: wait for the jobs to finish, then print the funnel.
        poll_seconds: how often `--wait` asks `squeue`.
    """

    partition: str | None = None
    time: str | None = None
    cpus_per_task: int = 1
    mem_per_cpu_gb: int = 2
    qos: str | None = None
    account: str | None = None
    sbatch_args: dict[str, str] = field(default_factory=dict)
    max_array_size: int | None = None
    wait: bool = False
    poll_seconds: float = 10.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SubmittedStage:
    """What one stage became on the cluster."""

    name: str
    tasks: int
    to_run: int
    job_ids: list[str]
    logging_dir: Path
    end_of_run: bool = False  # the job writing stats.json, manifest.json, report.html


# ------------------------------------------------------------------------------------------------- CLI flags
def add_slurm_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `--executor slurm` (they are refused with the local executor)."""
    group = parser.add_argument_group("SLURM (with --executor slurm)")
    group.add_argument("--partition", help="partition (default: the cluster's default partition)")
    group.add_argument("--time", help="time limit per task, e.g. 10:00:00 (default: the partition's)")
    group.add_argument("--cpus-per-task", type=positive_int, help="CPUs per task (default: 1)")
    group.add_argument("--mem-per-cpu-gb", type=positive_int, help="memory per CPU in GB (default: 2)")
    group.add_argument("--qos", help="quality of service (default: none; not every cluster has QOS)")
    group.add_argument("--account", help="account to charge")
    group.add_argument(
        "--sbatch-arg",
        action="append",
        metavar="KEY[=VALUE]",
        help="any other sbatch option, repeatable: --sbatch-arg constraint=cpu --sbatch-arg exclusive",
    )
    group.add_argument(
        "--max-array-size", type=positive_int, help="most tasks per array job (default: the cluster's MaxArraySize)"
    )
    group.add_argument("--wait", action="store_true", help="wait for the jobs, then print the funnel")
    group.add_argument("--poll-seconds", type=float, help="how often --wait polls squeue (default: 10)")


SLURM_FLAGS = (
    "partition",
    "time",
    "cpus_per_task",
    "mem_per_cpu_gb",
    "qos",
    "account",
    "sbatch_arg",
    "max_array_size",
    "wait",
    "poll_seconds",
)


def options_from_args(args: argparse.Namespace) -> SlurmOptions | None:
    """SlurmOptions for `--executor slurm`; None for local, where any SLURM flag is a usage error."""
    given = [name for name in SLURM_FLAGS if getattr(args, name, None) not in (None, False)]
    if args.executor != "slurm":
        if given:
            raise UsageError(f"--{given[0].replace('_', '-')} only applies with --executor slurm")
        return None
    return SlurmOptions(
        partition=args.partition,
        time=args.time,
        cpus_per_task=args.cpus_per_task or 1,
        mem_per_cpu_gb=args.mem_per_cpu_gb or 2,
        qos=args.qos,
        account=args.account,
        sbatch_args=parse_sbatch_args(args.sbatch_arg or []),
        max_array_size=args.max_array_size,
        wait=args.wait,
        poll_seconds=args.poll_seconds if args.poll_seconds is not None else 10.0,
    )


def parse_sbatch_args(items: list[str]) -> dict[str, str]:
    """`["constraint=cpu", "--exclusive"]` -> `{"constraint": "cpu", "exclusive": ""}` (a flag has no value)."""
    out: dict[str, str] = {}
    for item in items:
        key, _, value = item.lstrip("-").partition("=")
        if not re.fullmatch(r"[a-z][a-z0-9-]*", key):
            raise UsageError(f"--sbatch-arg {item!r}: expected KEY or KEY=VALUE, e.g. constraint=cpu")
        if key in _MANAGED_SBATCH_KEYS:
            raise UsageError(f"--sbatch-arg {key}: olm-data sets --{key} itself")
        out[key] = value
    return out


# ------------------------------------------------------------------------------------------------- cluster
def slurm_unavailable_reason() -> str | None:
    """Why no SLURM cluster can take jobs from here (None when `sbatch` exists and `scontrol ping` says UP)."""
    for tool in ("sbatch", "squeue", "scontrol"):
        if shutil.which(tool) is None:
            return f"`{tool}` not found on PATH (install the Slurm client tools, or use --executor local)"
    try:
        ping = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"`scontrol ping` failed: {e}"
    if "UP" not in ping.stdout:
        detail = (ping.stdout + ping.stderr).strip().splitlines()
        return f"no SLURM controller answers `scontrol ping` ({detail[0] if detail else 'no output'})"
    return None


def cluster_max_array_size() -> int:
    """The cluster's `MaxArraySize` (tasks per array job), or Slurm's default when it cannot be read."""
    try:
        out = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return DEFAULT_MAX_ARRAY_SIZE
    m = re.search(r"^MaxArraySize\s*=\s*(\d+)", out, re.MULTILINE)
    return int(m.group(1)) if m else DEFAULT_MAX_ARRAY_SIZE


def queued_jobs(job_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """{array job id: [(state, reason), ...]} for those of `job_ids` still known to squeue and not finished."""
    if not job_ids:
        return {}
    cmd = ["squeue", "-h", "-r", "-u", getpass.getuser(), "-o", "%F|%T|%r"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    except subprocess.CalledProcessError as e:
        raise UsageError(f"squeue failed: {e.stderr.strip() or e}") from None
    except (OSError, subprocess.TimeoutExpired) as e:
        raise UsageError(f"squeue failed: {e}") from None
    wanted, found = set(job_ids), {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 3 and parts[0] in wanted and parts[1] not in _DONE_STATES:
            found.setdefault(parts[0], []).append((parts[1], parts[2]))
    return found


# ------------------------------------------------------------------------------------------------- submit
def environment_kwargs() -> dict[str, str]:
    """How a job gets this Python: source the venv's `activate`, else put this interpreter's folder first on PATH."""
    activate = Path(sys.prefix) / "bin" / "activate"
    if sys.prefix != sys.base_prefix and activate.is_file():
        return {"venv_path": str(activate)}
    return {"env_command": f"export PATH={shlex.quote(str(Path(sys.executable).parent))}:$PATH"}


def check_no_active_jobs(logging_dir: Path, stage: str) -> None:
    """Refuse to relaunch a stage while jobs of its previous launch are queued or running."""
    jobs_file = logging_dir / JOBS_FILE
    if not jobs_file.exists():
        return
    try:
        ids = [str(i) for i in json.loads(jobs_file.read_text()).get("job_ids", [])]
    except (OSError, ValueError):
        return
    active = queued_jobs(ids)
    if active:
        listed = ",".join(sorted(active, key=int))
        raise UsageError(
            f"stage {stage!r} still has jobs in the queue ({listed}); wait for them (squeue -j {listed}) or cancel "
            f"them (scancel {listed.replace(',', ' ')}) before launching again"
        )


def submit_stages(
    stages: list[Stage], run: RunContext, opts: SlurmOptions, plan: dict[str, Any]
) -> list[SubmittedStage]:
    """Submit every unfinished stage as array jobs chained `afterok`, then the end-of-run job; print how to follow.

    Returns one SubmittedStage per stage (and one for the end-of-run job when it was submitted). When every task
    of every stage is already complete, nothing is submitted and the end of the run happens here, in-process.
    """
    from olm_data.executors import ActionStep, FinalizeStep, OlmSlurmExecutor
    from olm_data.runtime import check_task_count, clean_incomplete_outputs, finalize_output

    if "SLURM_ARRAY_TASK_ID" in os.environ:
        raise UsageError("launch `olm-data run --executor slurm` from a login node, not from inside a SLURM array job")
    reason = slurm_unavailable_reason()
    if reason:
        raise UsageError(f"--executor slurm: {reason}")
    run.output.mkdir(parents=True, exist_ok=True)
    max_array = opts.max_array_size or cluster_max_array_size()
    common = dict(
        time=opts.time,
        partition=opts.partition,
        cpus_per_task=opts.cpus_per_task,
        mem_per_cpu_gb=opts.mem_per_cpu_gb,
        qos=opts.qos,
        sbatch_args={**({"account": opts.account} if opts.account else {}), **opts.sbatch_args},
        max_array_size=max_array,
        requeue_signals=None,  # datatrove's SIGUSR1 requeue would need the cluster to send it; keep plain failures
        mail_type="NONE",
        **environment_kwargs(),
    )
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", run.pipeline.stem)
    submitted: list[SubmittedStage] = []
    after: list[str] = []
    for stage in stages:
        logging_dir = run.output / "logs" / stage.name
        check_no_active_jobs(logging_dir, stage.name)
        if stage.action is not None:
            marker = logging_dir / "completed"
            if marker.exists():
                submitted.append(SubmittedStage(stage.name, 1, 0, [], logging_dir))
                continue
            steps, tasks, workers = [ActionStep(stage.name, stage.action, run, str(marker))], 1, 1
        else:
            steps, tasks = stage.steps, stage.tasks or run.tasks
            workers = stage.workers or run.workers
            check_task_count(logging_dir, tasks, stage.name)
            clean_incomplete_outputs(stage.steps, logging_dir, tasks)
        executor = OlmSlurmExecutor(
            pipeline=steps,
            tasks=tasks,
            workers=workers if 0 < workers < tasks else -1,  # -1: no `%N` throttle on the array
            job_name=f"olm-{stem}-{stage.name}",
            logging_dir=str(logging_dir),
            depends_job_id=":".join(after) or None,
            **common,
        )
        to_run = len(executor.get_incomplete_ranks())
        executor.launch_job()
        ids = executor.launched_job_ids
        if ids:
            (logging_dir / JOBS_FILE).write_text(json.dumps({"job_ids": ids, "tasks": to_run}) + "\n")
            after = ids
        submitted.append(SubmittedStage(stage.name, tasks, to_run, ids, logging_dir))
    stage_names = [s.name for s in stages]
    if not after:  # nothing left to run: finish here
        print("every task of every stage is already complete; nothing submitted", file=sys.stderr)
        finalize_output(run, stage_names, plan)
        return submitted
    finalize_dir = run.output / "logs" / FINALIZE_DIR
    check_no_active_jobs(finalize_dir, "finalize")
    final = OlmSlurmExecutor(
        pipeline=[FinalizeStep(finalize_output, run, stage_names, plan)],
        tasks=1,
        workers=1,
        job_name=f"olm-{stem}-finalize",
        logging_dir=str(finalize_dir),
        depends_job_id=":".join(after),
        skip_completed=False,
        **common,
    )
    final.launch_job()
    (finalize_dir / JOBS_FILE).write_text(json.dumps({"job_ids": final.launched_job_ids, "tasks": 1}) + "\n")
    submitted.append(SubmittedStage("finalize", 1, 1, final.launched_job_ids, finalize_dir, end_of_run=True))
    print_submission(submitted, run, max_array)
    return submitted


def print_submission(submitted: list[SubmittedStage], run: RunContext, max_array: int) -> None:
    """One line per stage with its job ids, then the commands to follow the jobs."""
    print(f"submitted to SLURM (at most {max_array} tasks per array job):")
    for s in submitted:
        if not s.job_ids:
            print(f"  {s.name:<12} all {s.tasks} tasks already complete")
            continue
        what = "stats.json, manifest.json, report.html" if s.end_of_run else f"{s.to_run}/{s.tasks} tasks"
        print(f"  {s.name:<12} job {', '.join(s.job_ids):<14} {what}   logs: {s.logging_dir / 'slurm_logs'}")
    ids = ",".join(i for s in submitted for i in s.job_ids)
    first = next(s for s in submitted if s.job_ids)
    print(f"follow:  squeue -j {ids}")
    print(f"         tail -f {first.logging_dir / 'slurm_logs'}/{first.job_ids[0]}_0.out")
    print(f"results: {run.output}/stats.json, manifest.json and report.html once job {submitted[-1].job_ids[-1]} ends")
    print("if tasks fail: rerun the same command; it submits only the tasks that did not complete")


def wait_for(submitted: list[SubmittedStage], poll_seconds: float = 10.0) -> list[str]:
    """Poll squeue until the submitted jobs leave the queue; the problems found (unfinished tasks), [] when all ran.

    A job pending on a dependency that can never be satisfied (its predecessor failed, on clusters without
    `kill_invalid_depend`) is cancelled: it would wait forever.
    """
    ids = [i for s in submitted for i in s.job_ids]
    last = ""
    while True:
        active = queued_jobs(ids)
        stuck = [j for j, states in active.items() if any("DependencyNeverSatisfied" in r for _, r in states)]
        if stuck:
            subprocess.run(["scancel", *stuck], check=False)
            active = {j: v for j, v in active.items() if j not in stuck}
        progress = "  ".join(f"{s.name} {_completed(s)}/{s.tasks}" for s in submitted if not s.end_of_run)
        if progress != last:
            print(f"[{time.strftime('%H:%M:%S')}] {progress}", file=sys.stderr, flush=True)
            last = progress
        if not active:
            break
        time.sleep(poll_seconds)
    from olm_data.executors import FAILURES

    problems = []
    for s in submitted:
        if s.end_of_run:
            continue
        if s.logging_dir.joinpath("completed").exists():
            continue
        missing = [r for r in range(s.tasks) if not (s.logging_dir / "completions" / f"{r:05d}").exists()]
        for rank in missing:  # a task that could not fetch a remote file says which (olm_data.executors)
            reason = s.logging_dir / FAILURES / f"{rank:05d}.txt"
            if reason.is_file():
                problems.append(f"stage {s.name}: task {rank}: {reason.read_text().strip()}")
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            problems.append(
                f"stage {s.name}: {len(missing)}/{s.tasks} tasks did not complete (ranks {shown}); "
                f"logs: {s.logging_dir / 'slurm_logs'}"
            )
    return problems


def _completed(s: SubmittedStage) -> int:
    if (s.logging_dir / "completed").exists():
        return s.tasks
    folder = s.logging_dir / "completions"
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0
