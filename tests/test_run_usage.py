"""`olm-data run` usage: options anywhere, one-line errors for outputs it cannot use, one run per output."""

import json
import os
import socket
import subprocess
import sys

import pytest
from cli_helpers import WIKI, olm

from olm_data.cli import _pipeline_path
from olm_data.errors import UsageError
from olm_data.locking import LOCK_NAME
from olm_data.run import check_inputs


def one_error_line(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 2 and "Traceback" not in res.stderr
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--output", "X", "pipelines/cc_2022_49.py", "--sample"],
        ["run", "--tasks", "2", "--input", "a.warc.gz", "b.warc.gz", "--seed=3", "pipelines/cc_2022_49.py"],
        ["run", "pipelines/cc_2022_49.py", "--output", "X"],
        ["run", "--extractor", "resiliparse", "pipelines/cc_2022_49.py"],  # a pipeline's own option first
    ],
)
def test_the_pipeline_file_is_found_wherever_the_options_are(argv):
    assert _pipeline_path(argv) == "pipelines/cc_2022_49.py"


def test_options_before_the_pipeline_file_run_it(tmp_path):
    res = olm("run", "--output", str(tmp_path / "out"), "--limit", "1", WIKI, "--sample")
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "out" / "stats.json").is_file()
    assert not (tmp_path / "out" / LOCK_NAME).exists()  # released at the end


def test_an_output_that_is_a_file_is_a_one_line_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("not a folder")
    assert "is a file, not a folder" in one_error_line(olm("run", WIKI, "--sample", "--output", str(target)))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_output_is_a_one_line_error(tmp_path):
    target = tmp_path / "ro"
    target.mkdir(mode=0o555)
    assert "not writable" in one_error_line(olm("run", WIKI, "--sample", "--output", str(target)))


def test_an_output_locked_by_a_live_run_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": "2026-01-01T00:00:00"}
    (out / LOCK_NAME).write_text(json.dumps(owner))  # this test's process: alive
    line = one_error_line(olm("run", WIKI, "--sample", "--output", str(out)))
    assert f"in use by another run (pid {os.getpid()}" in line
    assert not (out / "stats.json").exists()


def test_the_lock_of_a_killed_run_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a run killed with kill -9 leaves its lock behind, with a pid that no longer runs
    (out / LOCK_NAME).write_text(json.dumps({"pid": gone.pid, "host": socket.gethostname(), "started": "x"}))
    res = olm("run", WIKI, "--sample", "--limit", "1", "--output", str(out))
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"taking over the lock of an ended run (pid {gone.pid})" in res.stderr


def test_an_existing_file_name_is_taken_literally_before_globbing(tmp_path):
    odd = tmp_path / "x y [1].warc.gz"
    odd.write_bytes(b"")
    check_inputs([str(odd)])  # `[1]` is a glob class that would match "x y 1.warc.gz", not this file
    with pytest.raises(UsageError, match="input not found"):
        check_inputs([str(tmp_path / "x y [2].warc.gz")])
