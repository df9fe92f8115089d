"""Resume: a run killed with SIGKILL midway, rerun with the same command, redoes only the unfinished tasks and
ends byte-identical to a run that was never interrupted."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_helpers import CC, ROOT, corpus
from datatrove.pipeline.filters import LambdaFilter
from datatrove.pipeline.writers import JsonlWriter, ParquetWriter

from olm_data.runtime import clean_incomplete_outputs


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the run ended before {path.name} appeared"
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


@pytest.mark.slow
def test_kill_9_midway_then_rerun_redoes_only_unfinished_tasks(cc_sample, tmp_path):
    # the uninterrupted reference is the session's sample run (conftest): the same command, another output folder
    # (a run's data files do not depend on where it writes)
    killed, clean = tmp_path / "run", cc_sample[0]
    cmd = [sys.executable, "-m", "olm_data.cli", "run", CC, "--sample", "--output", str(killed), "--tasks", "3"]
    cmd += ["--workers", "1"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_for(killed / "logs" / "filter" / "completions" / "00000", proc)
        # task 1 has opened its parquet file: killing now leaves it half-written (no footer)
        wait_for(killed / "filtered" / "000_00001.parquet", proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = sorted(p.name for p in (killed / "logs" / "filter" / "completions").iterdir())
    assert done == ["00000"]
    partial = killed / "filtered" / "000_00001.parquet"
    with pytest.raises(Exception):  # noqa: B017 - pyarrow raises ArrowInvalid (or OSError) on a file without footer
        pq.ParquetFile(partial)
    assert not (killed / "manifest.json").exists()  # a killed run never got to its end
    task0 = killed / "filtered" / "000_00000.parquet"
    task0_log = killed / "logs" / "filter" / "logs" / "task_00000.log"
    before = (task0.stat().st_mtime_ns, task0.read_bytes(), task0_log.stat().st_mtime_ns)

    # resuming with another task count would mix two shardings: refused, nothing touched
    other = subprocess.run([*cmd[:-4], "--tasks", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert other.returncode == 2 and "--tasks 3" in other.stderr

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "removed 1 file(s) left by unfinished tasks" in again.stderr and "000_00001.parquet" in again.stderr
    assert (task0.stat().st_mtime_ns, task0.read_bytes(), task0_log.stat().st_mtime_ns) == before  # not redone
    assert sorted(p.name for p in (killed / "logs" / "filter" / "completions").iterdir()) == [
        "00000",
        "00001",
        "00002",
    ]

    manifests = [json.loads((d / "manifest.json").read_text()) for d in (killed, clean)]
    final = manifests[0]["final_output"]
    resumed, uninterrupted = corpus(killed / final), corpus(clean / final)
    assert resumed and resumed == uninterrupted
    # every file of every stage, byte for byte; the reference LM's card names the folder it was trained from
    card = "wikipedia/lm/card.json"
    outputs = [{k: v for k, v in m["outputs"].items() if k != card} for m in manifests]
    assert outputs[0] == outputs[1] and len(outputs[0]) == len(manifests[0]["outputs"]) - 1
    stats = [json.loads((d / "stats.json").read_text())["filter"] for d in (killed, clean)]
    assert [s["counts"] for s in stats[0]] == [s["counts"] for s in stats[1]]  # stats merge old and new tasks


def test_clean_removes_only_files_of_unfinished_tasks(tmp_path):
    out, logs = tmp_path / "out", tmp_path / "logs"
    parquet = ParquetWriter(str(out / "main"), output_filename="${language}/${rank}.parquet", max_file_size=2**20)
    rejected = JsonlWriter(str(out / "rejected"))
    steps = [LambdaFilter(lambda d: True, exclusion_writer=rejected), parquet]
    files = []
    for rank in range(3):
        for rel in (
            f"main/en/000_{rank:05d}.parquet",
            f"main/de/001_{rank:05d}.parquet",
            f"rejected/{rank:05d}.jsonl.gz",
        ):
            files.append(out / rel)
            files[-1].parent.mkdir(parents=True, exist_ok=True)
            files[-1].write_bytes(b"partial")
    keep = out / "main" / "en" / "notes.txt"
    keep.write_text("not a task's file")
    (logs / "completions").mkdir(parents=True)
    (logs / "completions" / "00000").touch()

    removed = clean_incomplete_outputs(steps, logs, tasks=3)
    assert sorted(removed) == sorted(f for f in files if "00000" not in f.name)
    assert all(f.exists() for f in files if "00000" in f.name) and keep.exists()
    assert clean_incomplete_outputs(steps, logs, tasks=1) == []  # rank 0 is complete: nothing to do
