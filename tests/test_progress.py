"""Progress lines of `olm-data run`: tasks done, documents read, docs/s and an ETA on stderr; none with --quiet."""

import gzip
import json
import re
import textwrap

from datatrove.io import get_datafolder
from datatrove.pipeline.readers import JsonlReader

from olm_data.cli import main
from olm_data.progress import CountingStep, StageProgress

PIPELINE = textwrap.dedent(
    """
    import time

    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from olm_data.stage import Stage


    class SlowStep(PipelineStep):
        name = "slow"
        type = "TEST"

        def run(self, data, rank=0, world_size=1):
            for doc in data:
                time.sleep(0.01)  # the stage lasts ~20 progress intervals
                yield doc


    def stages(run):
        return [Stage("read", steps=[JsonlReader(run.input[0]), SlowStep(), JsonlWriter(run.out("copy"))])]
    """
)
LINE = re.compile(r"^ +read: (\d+)/2 tasks done, ([\d,]+) docs read, ([\d,]+) docs/s(, ETA \w+)?$", re.MULTILINE)


def write_inputs(folder, tasks=2, docs=50):
    folder.mkdir()
    for t in range(tasks):
        with gzip.open(folder / f"part-{t}.jsonl.gz", "wt") as f:
            for i in range(docs):
                f.write(json.dumps({"id": f"{t}-{i}", "text": f"document {t} {i}"}) + "\n")
    return folder


def test_a_run_prints_progress_lines_and_none_with_quiet(tmp_path, capfd):
    (tmp_path / "pipe.py").write_text(PIPELINE)
    inputs = write_inputs(tmp_path / "in")
    argv = ["run", str(tmp_path / "pipe.py"), "--input", str(inputs), "--tasks", "2", "--workers", "1"]

    assert main([*argv, "--output", str(tmp_path / "out"), "--progress-every", "0.05"]) == 0
    lines = LINE.findall(capfd.readouterr().err)
    assert lines, "no progress line"
    assert all(0 <= int(done) <= 2 and 0 <= int(docs.replace(",", "")) <= 100 for done, docs, _, _ in lines)

    assert main([*argv, "--output", str(tmp_path / "quiet"), "--progress-every", "0.05", "--quiet"]) == 0
    assert LINE.findall(capfd.readouterr().err) == []
    # counting leaves the run's stats as they were: the same steps with the same counts
    loud, quiet = (json.loads((tmp_path / o / "stats.json").read_text())["read"] for o in ("out", "quiet"))
    assert [(s["step"], s["counts"]) for s in loud] == [(s["step"], s["counts"]) for s in quiet]
    assert loud[0]["counts"]["documents"] == 100


def test_the_line_counts_tasks_and_documents_and_estimates_the_rest(tmp_path):
    (tmp_path / "completions").mkdir()
    (tmp_path / "progress").mkdir()
    progress = StageProgress("filter", tmp_path, tasks=3, every=1)
    assert "0/3 tasks done, 0 docs read" in progress.line() and "ETA" not in progress.line()

    (tmp_path / "progress" / "00000").write_text("1200\n")
    (tmp_path / "progress" / "00001").write_text("30\n")
    (tmp_path / "completions" / "00000").touch()
    line = progress.line()
    assert re.fullmatch(r" +filter: 1/3 tasks done, 1,230 docs read, [\d,]+ docs/s, ETA \w+", line), line
    (tmp_path / "progress" / "00001").write_text("")  # caught mid-write: its last value counts
    assert "1,230 docs read" in progress.line()


def test_counting_step_writes_the_count_and_keeps_the_readers_stats(tmp_path):
    inputs = write_inputs(tmp_path / "in", tasks=1, docs=7)
    reader = JsonlReader(str(inputs))
    counting = CountingStep(reader, get_datafolder(str(tmp_path / "logs")), rank=3)
    assert len(list(counting(None, 0, 1))) == 7
    assert (tmp_path / "logs" / "progress" / "00003").read_text() == "7\n"
    assert counting.stats is reader.stats and reader.stats["documents"].total == 7 and repr(counting) == repr(reader)


def test_a_first_step_that_yields_nothing_is_passed_on_as_it_is(tmp_path):
    """Dedup stages start with a step that does its work in the call and returns None: no documents to count."""
    calls = []

    def step(data, rank, world_size):
        calls.append(rank)

    assert CountingStep(step, get_datafolder(str(tmp_path)), rank=0)(None, 0, 1) is None
    assert calls == [0] and (tmp_path / "progress" / "00000").read_text() == "0\n"
