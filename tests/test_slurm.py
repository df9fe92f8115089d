"""`--executor slurm` on a REAL Slurm cluster (scripts/slurm-up.sh brings one up; skipped where none answers).

The integration tests submit real array jobs with sbatch, poll squeue, and compare the corpus with the local
executor's byte for byte. The first tests check the sbatch script and the flags without any cluster.
"""

import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cli_helpers import CC, corpus, olm

from olm_data.cli import main
from olm_data.errors import UsageError
from olm_data.executors import OlmSlurmExecutor
from olm_data.slurm import parse_sbatch_args, queued_jobs, slurm_unavailable_reason

NO_SLURM = slurm_unavailable_reason()
needs_slurm = pytest.mark.skipif(NO_SLURM is not None, reason=f"no Slurm cluster: {NO_SLURM}; see scripts/slurm-up.sh")

# A pipeline whose task 1 fails while a flag file exists, then an in-process action stage (a 1-task job on SLURM).
# MakeDocs lives in the pipeline file itself, so this also checks that such steps reach the compute node.
TINY_PIPELINE = textwrap.dedent(
    """
    import glob
    import os
    import time

    from datatrove.data import Document
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.stage import Stage


    class MakeDocs(PipelineStep):
        name = "make docs"

        def __init__(self, fail_flag, sleep):
            super().__init__()
            self.fail_flag, self.sleep = fail_flag, sleep

        def run(self, data=None, rank=0, world_size=1):
            time.sleep(self.sleep)
            if rank == 1 and self.fail_flag and os.path.exists(self.fail_flag):
                raise RuntimeError("task 1 fails while the flag file exists")
            for i in range(5):
                self.stat_update("made")
                yield Document(text=f"doc {i} of task {rank}", id=f"{rank}-{i}", metadata={"url": f"https://t{rank}.example/{i}"})


    def count(run):
        import pyarrow.parquet as pq

        n = sum(pq.ParquetFile(f).metadata.num_rows for f in glob.glob(run.out("docs") + "/*.parquet"))
        with open(run.out("count.txt"), "w") as f:
            f.write(str(n))


    def add_arguments(parser):
        parser.add_argument("--fail-flag", default="")
        parser.add_argument("--sleep", type=float, default=0.0)


    def stages(run):
        return [
            Stage("make", steps=[MakeDocs(run.options["fail_flag"], run.options["sleep"]), ParquetWriter(run.out("docs"))]),
            Stage("count", action=count),
        ]
    """
)


def funnel(stats_file: Path) -> dict:
    """Documents per step; in-process action stages only leave stats where SLURM ran them as 1-task jobs."""
    stats = json.loads(stats_file.read_text())
    return {
        stage: [{k: v for k, v in s.items() if k != "seconds"} for s in steps]
        for stage, steps in stats.items()
        if not all(s["step"].startswith("ACTION") for s in steps)
    }


# ------------------------------------------------------------------------------------------------- no cluster
def test_sbatch_args_parse_and_refuse_managed_keys():
    assert parse_sbatch_args(["constraint=cpu", "--exclusive", "--gres=gpu:1"]) == {
        "constraint": "cpu",
        "exclusive": "",
        "gres": "gpu:1",
    }
    with pytest.raises(UsageError, match="olm-data sets --array itself"):
        parse_sbatch_args(["array=0-9"])
    with pytest.raises(UsageError, match="expected KEY or KEY=VALUE"):
        parse_sbatch_args(["=x"])


def test_sbatch_script_leaves_unset_options_to_the_cluster(tmp_path):
    def script(**kw) -> str:
        ex = OlmSlurmExecutor(pipeline=[], tasks=2500, logging_dir=str(tmp_path / "logs"), **kw)
        return ex.get_launch_file_contents(ex.get_sbatch_args(1001), "run")

    plain = script(time=None, partition=None, qos=None, workers=500)
    assert "--qos" not in plain and "--partition" not in plain and "--time" not in plain  # cluster defaults
    assert "#SBATCH --array=0-1000%500" in plain  # 2500 tasks: array chunks of MaxArraySize, 500 at once
    full = script(time="10:00:00", partition="cpu", qos="high", sbatch_args={"account": "olm", "exclusive": ""})
    for line in ("--qos=high", "--partition=cpu", "--time=10:00:00", "--account=olm", "#SBATCH --exclusive\n"):
        assert line in full


def test_slurm_flags_need_the_slurm_executor():
    out = olm("run", CC, "--sample", "--partition", "cpu")
    assert out.returncode == 2 and "--partition only applies with --executor slurm" in out.stderr


def test_no_slurm_is_a_one_line_error(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no sbatch anywhere
    out = olm("run", CC, "--sample", "--executor", "slurm", "--output", str(tmp_path / "o"), env=env)
    assert out.returncode == 2, out.stderr
    assert "`sbatch` not found on PATH" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------------------------------------- real cluster
@needs_slurm
def test_sample_as_array_jobs_equals_local_run(cc_sample, tmp_path):
    # one task per stage (the tests below run arrays of several tasks): 15 array jobs chained by dependencies.
    # Both runs write to the same path (the local one is moved away first), so the manifests compare equal too
    out, local = tmp_path / "run", tmp_path / "local"
    lm = ("--lm", str(cc_sample[0] / "wikipedia" / "lm"))  # the sample's reference LM, built once (conftest)
    assert main(["run", CC, "--sample", "--output", str(out), "--tasks", "1", *lm]) == 0
    out.rename(local)
    proc = olm(
        *("run", CC, "--sample", "--executor", "slurm", "--output", str(out), "--tasks", "1", *lm),
        *("--mem-per-cpu-gb", "1", "--wait", "--poll-seconds", "1"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest_local = json.loads((local / "manifest.json").read_text())
    manifest_slurm = json.loads((out / "manifest.json").read_text())
    stages = [s["name"] for s in manifest_slurm["stages"]]
    jobs = [json.loads((out / "logs" / s / "slurm_jobs.json").read_text())["job_ids"] for s in stages]
    assert all(len(ids) == 1 for ids in jobs)  # one array job per stage
    assert f"squeue -j {','.join(ids[0] for ids in jobs)}," in proc.stdout  # how to follow them (+ end-of-run job)
    script = (out / "logs" / "filter" / "launch_script.slurm").read_text()
    assert "#SBATCH --array=0-0" in script and "--qos" not in script and "--partition" not in script
    assert f"source {Path(sys.prefix) / 'bin' / 'activate'}" in script
    filter_job = jobs[stages.index("filter")][0]
    assert list((out / "logs" / "filter" / "slurm_logs").glob(f"{filter_job}_*.out"))

    final = manifest_slurm["final_output"]
    assert corpus(local / final) and corpus(local / final) == corpus(out / final)  # same files, same bytes
    assert manifest_local["outputs"] == manifest_slurm["outputs"]  # every output file of every stage
    assert funnel(local / "stats.json") == funnel(out / "stats.json")
    assert manifest_slurm["config"]["executor"]["name"] == "slurm"
    assert (out / "report.html").stat().st_size > 10_000


@needs_slurm
def test_failed_task_is_relaunched_alone_and_action_stage_runs_as_a_job(tmp_path):
    pipeline = tmp_path / "tiny.py"
    pipeline.write_text(TINY_PIPELINE)
    flag, out = tmp_path / "fail-task-1", tmp_path / "out"
    flag.touch()
    args = ["run", str(pipeline), "--executor", "slurm", "--output", str(out), "--tasks", "3"]
    args += ["--max-array-size", "2", "--mem-per-cpu-gb", "1", "--fail-flag", str(flag), "--sleep", "4"]

    first = olm(*args)  # returns once submitted
    assert first.returncode == 0, first.stderr[-3000:]
    ids = [
        i
        for stage in ("make", "count", "_olm_finalize")
        for i in json.loads((out / "logs" / stage / "slurm_jobs.json").read_text())["job_ids"]
    ]
    assert len(ids) == 4 and all(i in first.stdout for i in ids)  # 3 tasks in arrays of 2: two jobs for "make"

    busy = olm(*args)  # the first launch is still queued or running: relaunching now would race it
    assert busy.returncode == 2 and "still has jobs in the queue" in busy.stderr

    deadline = time.monotonic() + 180
    while queued_jobs(ids):
        assert time.monotonic() < deadline, "jobs did not leave the queue"
        time.sleep(1)
    assert sorted(p.name for p in (out / "logs" / "make" / "completions").iterdir()) == ["00000", "00002"]
    assert not (out / "count.txt").exists()  # the action waits `afterok`: cancelled after the failure

    flag.unlink()
    second = olm(*args, "--wait", "--poll-seconds", "1")
    assert second.returncode == 0, second.stderr[-3000:]
    assert json.loads((out / "logs" / "make" / "ranks_to_run.json").read_text()) == [1]  # only the failed task
    assert (out / "count.txt").read_text() == "15"  # the action ran on the cluster, after all 3 tasks
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"]["count.txt"]["bytes"] == 2
    assert sum(e.get("docs", 0) for k, e in manifest["outputs"].items() if k.startswith("docs/")) == 15


REMOTE_PIPELINE = textwrap.dedent(
    """
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.readers.warc import add_common_crawl_arguments, common_crawl_reader
    from olm_data.stage import Stage


    def add_arguments(parser):
        add_common_crawl_arguments(parser, "CC-MAIN-2099-01")


    def stages(run):
        return [Stage("read", steps=[common_crawl_reader(run, "CC-MAIN-2099-01", [], 42), ParquetWriter(run.out("docs"))])]
    """
)


@needs_slurm
def test_unreachable_remote_file_fails_its_array_task_and_the_rerun_fetches_only_it(tmp_path):
    """A snapshot streamed by array tasks from a loopback Common Crawl: a file that stays 404 fails its task
    (exit 1 naming the file under --wait), and the rerun after the server recovers runs that task alone."""
    from cc_server import CCServer, Status, crawl_layout

    from olm_data import samples

    pipeline = tmp_path / "remote.py"
    pipeline.write_text(REMOTE_PIPELINE)
    rels = crawl_layout(tmp_path / "cc", "CC-MAIN-2099-01", samples.warc_files())
    out = tmp_path / "out"
    with CCServer(tmp_path / "cc") as server:
        server.always(rels[1], Status(404))
        args = ["run", str(pipeline), "--executor", "slurm", "--output", str(out), "--tasks", "3", "--wait"]
        args += ["--poll-seconds", "1", "--mem-per-cpu-gb", "1", "--cc-base", server.url, "--http-timeout", "5"]
        failed = olm(*args)
        assert failed.returncode == 1
        assert f"task 1: {server.url}{rels[1]}: HTTP 404 Not Found (after 1 try)" in failed.stderr
        assert "Traceback" not in failed.stderr
        assert sorted(p.name for p in (out / "logs" / "read" / "completions").iterdir()) == ["00000", "00002"]

        server.always(rels[1], None)
        before = dict(server.requests)
        resumed = olm(*args)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        assert json.loads((out / "logs" / "read" / "ranks_to_run.json").read_text()) == [1]
        assert server.requests[rels[1]] - before.get(rels[1], 0) == 1
        assert server.requests[rels[0]] == before[rels[0]] and server.requests[rels[2]] == before[rels[2]]
