"""`olm-data run pipelines/cc_2022_49.py` on a snapshot served by a loopback Common Crawl, as a user runs it: a file
that stays unreachable fails the run with its name (exit 1, no traceback), and the rerun after the server is fixed
fetches only the missing work and ends byte-identical to a run that never failed. `--snapshot` picks the crawl."""

import argparse
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cc_server import CCServer, Cut, Status, crawl_layout
from cli_helpers import CC, corpus, olm

from olm_data import samples
from olm_data.errors import TaskFailedError, UsageError
from olm_data.readers.warc import KNOWN_SNAPSHOT_RATIOS, add_common_crawl_arguments, common_crawl_reader
from olm_data.runtime import RunContext, check_fetch_outcome

SNAPSHOT = "CC-MAIN-2099-01"


@pytest.mark.slow
def test_snapshot_run_then_a_lost_file_fails_the_run_and_the_rerun_completes_byte_identical(cc_sample, tmp_path):
    """--snapshot picks the paths list, the ratio (1.0 for any crawl but 2022-49) and the tags; then the same run
    with one file gone fails with its name, and the rerun after the server recovers equals the first run."""
    root = tmp_path / "cc"
    rels = crawl_layout(root, SNAPSHOT, samples.warc_files())
    out, clean = tmp_path / "run", tmp_path / "clean"
    lm = str(cc_sample[0] / "wikipedia" / "lm")  # the sample's reference LM, built once (conftest)
    with CCServer(root) as server:
        args = ["run", CC, "--snapshot", SNAPSHOT, "--cc-base", server.url, "--output", str(out), "--lm", lm]
        args += ["--tasks", "3", "--workers", "2", "--http-timeout", "5", "--extractor", "resiliparse", "--quiet"]
        first = olm(*args)
        assert first.returncode == 0, first.stderr[-3000:]
        assert f"{SNAPSHOT}: 3 of 3 WARC files (sample ratio 1.0, seed 42)" in first.stderr
        snapshots = {m["snapshot"] for f in (out / "filtered").glob("*.parquet")
                     for m in pq.read_table(f).column("metadata").to_pylist()}  # fmt: skip
        assert snapshots == {SNAPSHOT}
        manifest = json.loads((out / "manifest.json").read_text())
        [entry] = [i for i in manifest["inputs"] if "snapshot" in i]
        assert entry["snapshot"] == SNAPSHOT and entry["sample_ratio"] == 1.0 and len(entry["files"]) == 3
        out.rename(clean)  # the reference; the runs below write where it was

        server.always(rels[1], Status(404))
        server.plan(rels[0], Cut(5_000), Status(503))  # healthy files that break once still come in whole
        failed = olm(*args)
        assert failed.returncode == 1
        assert "Traceback" not in failed.stderr
        tail = failed.stderr.strip().splitlines()[-3:]
        assert tail[0] == "olm-data: stage filter: 1 of 3 tasks failed:"
        assert tail[1] == f"olm-data:   task 1: {server.url}{rels[1]}: HTTP 404 Not Found (after 1 try)"
        assert "rerun the same command" in tail[2]
        done = sorted(p.name for p in (out / "logs" / "filter" / "completions").iterdir())
        assert done == ["00000", "00002"]  # the failed task is not complete; the others finished
        assert not (out / "manifest.json").exists()  # later stages never ran on a corpus with a hole

        server.always(rels[1], None)  # the service recovers
        before = dict(server.requests)
        resumed = olm(*args)
        assert resumed.returncode == 0, resumed.stderr[-3000:]
        fetched = {r: server.requests[r] - before.get(r, 0) for r in rels}
    assert fetched == {rels[0]: 0, rels[1]: 1, rels[2]: 0}  # exactly the missing work
    assert corpus(out) == corpus(clean)
    stats = json.loads((out / "stats.json").read_text())
    reader = stats["filter"][0]["counts"]
    # from the failed run's completed task 0: cut at byte 5,000, then a 503: two Range requests before it resumed
    assert reader["http_retries"] == 2 and reader["http_resumes"] == 2


@pytest.mark.slow
def test_s3_snapshot_with_a_lost_file_under_allow_missing(cc_sample, s3_endpoint, tmp_path):
    """As a user types it: the snapshot from s3:// (throttled once), one file gone for good, `--allow-missing 1`:
    the run finishes (exit 0), warns about the file, lists it in the report; with 0 allowed it fails on it."""
    server, keys = s3_endpoint
    server.plan(keys[0], Status(503))
    server.always(keys[1], Status(404))
    lm = str(cc_sample[0] / "wikipedia" / "lm")
    args = ["run", CC, "--input", SNAPSHOT, "--cc-base", "s3://commoncrawl/", "--lm", lm, "--extractor", "resiliparse"]
    lenient = olm(*args, "--output", str(tmp_path / "lenient"), "--allow-missing", "1")
    assert lenient.returncode == 0, lenient.stderr[-3000:]
    assert (
        f"s3://{keys[1]} could not be fetched" in lenient.stderr and "skipped under --allow-missing" in lenient.stderr
    )
    assert "Remote files lost (--allow-missing)" in (tmp_path / "lenient" / "report.html").read_text()
    sources = {m["source_file"] for f in (tmp_path / "lenient" / "filtered").glob("*.parquet")
               for m in pq.read_table(f).column("metadata").to_pylist()}  # fmt: skip
    assert sources and f"s3://{keys[1]}" not in sources and f"s3://{keys[0]}" in sources
    strict = olm(*args, "--output", str(tmp_path / "strict"))
    assert strict.returncode == 1 and f"s3://{keys[1]}" in strict.stderr and "Traceback" not in strict.stderr


def context(tmp_path, *argv):
    parser = argparse.ArgumentParser()
    add_common_crawl_arguments(parser, "CC-MAIN-2022-49")
    parser.add_argument("--input", nargs="+")
    parser.add_argument("--sample", action="store_true")
    args = parser.parse_args(argv)
    options = {k: v for k, v in vars(args).items() if k not in ("input", "sample")}
    return RunContext(pipeline=Path(CC), output=tmp_path, input=args.input, sample=args.sample, options=options)


def test_snapshot_flag_picks_crawl_ratio_and_tags(tmp_path):
    sample = samples.warc_files()
    default = common_crawl_reader(context(tmp_path), "CC-MAIN-2022-49", sample, 42)
    assert default.inputs == ["CC-MAIN-2022-49"] and default.snapshot_key() == "CC-MAIN-2022-49"
    assert default.ratio_for("CC-MAIN-2022-49") == KNOWN_SNAPSHOT_RATIOS["CC-MAIN-2022-49"] == 0.15114822547

    other = common_crawl_reader(context(tmp_path, "--snapshot", "CC-MAIN-2026-05"), "CC-MAIN-2022-49", sample, 42)
    assert other.inputs == ["CC-MAIN-2026-05"] and other.snapshot_key() == "CC-MAIN-2026-05"
    assert other.ratio_for("CC-MAIN-2026-05") == 1.0  # never 2022-49's ratio for another crawl
    by_input = common_crawl_reader(context(tmp_path, "--input", "CC-MAIN-2026-05"), "CC-MAIN-2022-49", sample, 42)
    assert by_input.snapshot_key() == "CC-MAIN-2026-05" and by_input.ratio_for("CC-MAIN-2026-05") == 1.0
    given = common_crawl_reader(
        context(tmp_path, "--snapshot", "CC-MAIN-2026-05", "--sample-ratio", "0.25"), "CC-MAIN-2022-49", sample, 42
    )
    assert given.ratio_for("CC-MAIN-2026-05") == 0.25

    with pytest.raises(UsageError, match="disagrees"):
        common_crawl_reader(
            context(tmp_path, "--snapshot", "CC-MAIN-2026-05", "--input", "CC-MAIN-2025-51"), "X", sample, 42
        )
    with pytest.raises(SystemExit):
        context(tmp_path, "--snapshot", "2026-05")


def test_local_files_take_their_snapshot_from_the_flag_or_path_never_another_crawl(tmp_path):
    crawl = tmp_path / "mirror"
    [rel] = crawl_layout(crawl, "CC-MAIN-2026-05", samples.warc_files()[:1])
    plain = tmp_path / "plain.warc.gz"
    plain.write_bytes((crawl / rel).read_bytes())
    sample = samples.warc_files()

    def tags(*argv):
        reader = common_crawl_reader(context(tmp_path, *argv), "CC-MAIN-2022-49", sample, 42)
        return {s for _, s in reader.list_files()}, reader.snapshot_key()

    assert tags("--input", str(crawl / rel)) == ({"CC-MAIN-2026-05"}, "CC-MAIN-2026-05")
    assert tags("--input", str(plain)) == ({"unknown"}, "unknown")
    assert tags("--input", str(plain), "--snapshot", "CC-MAIN-2025-51") == ({"CC-MAIN-2025-51"}, "CC-MAIN-2025-51")
    assert tags("--sample") == ({"CC-MAIN-2022-49"}, "CC-MAIN-2022-49")  # the bundled sample stands for 2022-49


def make_stage_logs(folder: Path, completed: list[int], failures: dict[int, str], missing: dict[int, int]) -> Path:
    for rank in completed:
        (folder / "completions").mkdir(parents=True, exist_ok=True)
        (folder / "completions" / f"{rank:05d}").touch()
    for rank, reason in failures.items():
        (folder / "failures").mkdir(parents=True, exist_ok=True)
        (folder / "failures" / f"{rank:05d}.txt").write_text(reason + "\n")
    for rank, n in missing.items():
        (folder / "missing").mkdir(parents=True, exist_ok=True)
        lost = [
            {"file": f"https://cc/{rank}-{i}.warc.gz", "reason": "HTTP 404 Not Found", "status": 404} for i in range(n)
        ]
        (folder / "missing" / f"{rank:05d}.json").write_text(json.dumps(lost))
    return folder


def test_allow_missing_accepts_up_to_n_lost_files_and_lists_them(tmp_path, capsys):
    logs = make_stage_logs(tmp_path, completed=[0, 1, 2], failures={}, missing={1: 1, 2: 2})
    lost = check_fetch_outcome("filter", logs, 3, allow_missing=3)
    assert [m["file"] for m in lost] == ["https://cc/1-0.warc.gz", "https://cc/2-0.warc.gz", "https://cc/2-1.warc.gz"]
    assert "https://cc/2-1.warc.gz could not be fetched (HTTP 404 Not Found)" in capsys.readouterr().err


def test_more_lost_files_than_allowed_fails_and_reopens_those_tasks(tmp_path):
    logs = make_stage_logs(tmp_path, completed=[0, 1, 2], failures={}, missing={1: 1, 2: 2})
    with pytest.raises(TaskFailedError) as info:
        check_fetch_outcome("filter", logs, 3, allow_missing=2)
    message = str(info.value)
    assert message.startswith("stage filter: 2 of 3 tasks failed; 3 remote file(s) could not be fetched, more than")
    assert "task 2: https://cc/2-1.warc.gz: HTTP 404 Not Found (lost)" in message
    # a rerun must try those files again: their tasks are incomplete once more
    assert sorted(p.name for p in (logs / "completions").iterdir()) == ["00000"]
    assert not list((logs / "missing").iterdir())


def test_a_stale_failure_of_a_task_completed_since_is_ignored(tmp_path):
    logs = make_stage_logs(
        tmp_path, completed=[0, 1], failures={1: "old reason", 2: "https://cc/x: HTTP 503"}, missing={}
    )
    with pytest.raises(TaskFailedError) as info:
        check_fetch_outcome("filter", logs, 3)
    assert "task 2: https://cc/x: HTTP 503" in str(info.value) and "old reason" not in str(info.value)
    (logs / "completions" / "00002").touch()
    assert check_fetch_outcome("filter", logs, 3) == []


@pytest.mark.parametrize("allow_missing", [False, True])
def test_local_executor_records_a_fetch_failure_or_the_missing_file(tmp_path, allow_missing):
    from datatrove.pipeline.writers import JsonlWriter

    from olm_data.executors import OlmLocalExecutor
    from olm_data.readers.remote import RetryPolicy
    from olm_data.readers.warc import CommonCrawlWarcReader

    root = tmp_path / "cc"
    rels = crawl_layout(root, SNAPSHOT, samples.warc_files())
    logs = tmp_path / "logs"
    with CCServer(root) as server:
        server.always(rels[1], Status(404))
        reader = CommonCrawlWarcReader(
            SNAPSHOT, base_url=server.url, retry=RetryPolicy(timeout=2, concurrency=0), allow_missing=allow_missing
        )
        executor = OlmLocalExecutor([reader, JsonlWriter(str(tmp_path / "docs"))], tasks=2, logging_dir=str(logs))
        executor.run()  # no exception either way: a lost file is an outcome, recorded for the runtime
    url = server.url + rels[1]
    if allow_missing:
        assert sorted(p.name for p in (logs / "completions").iterdir()) == ["00000", "00001"]
        assert json.loads((logs / "missing" / "00001.json").read_text())[0]["file"] == url
        assert check_fetch_outcome("filter", logs, 2, allow_missing=1)[0]["file"] == url
    else:
        assert sorted(p.name for p in (logs / "completions").iterdir()) == ["00000"]
        assert (logs / "failures" / "00001.txt").read_text() == f"{url}: HTTP 404 Not Found (after 1 try)\n"
        task_log = (logs / "logs" / "task_00001.log").read_text()
        assert "HTTP 404" in task_log and "Traceback" not in task_log


def test_report_lists_the_remote_files_lost_under_allow_missing(tmp_path):
    from olm_data.report import _sec_health

    step = {"step": "READER Common Crawl WARC", "counts": {"missing_file": 1, "http_retries": 7}, "docs": 3}
    (tmp_path / "stats.json").write_text(json.dumps({"filter": [step]}))
    make_stage_logs(tmp_path / "logs" / "filter", completed=[0], failures={}, missing={0: 1})
    [section] = _sec_health(tmp_path, {}, None)
    assert "<td>missing_file</td>" in section and "<td>http_retries</td>" in section
    assert "https://cc/0-0.warc.gz" in section and "HTTP 404 Not Found" in section


def write_wet_from_run(run: Path, path: Path) -> int:
    """A WET file of a run's extracted pages (as Common Crawl makes WETs from its WARCs); returns the page count."""
    import warc_fixtures as wf

    rows = [row for f in sorted((run / "filtered").glob("*.parquet")) for row in pq.read_table(f).to_pylist()]
    wf.write_warc(path, [wf.warcinfo()] + [wf.conversion(r["metadata"]["url"], r["text"]) for r in rows])
    return len(rows)


@pytest.mark.slow
def test_wet_input_runs_end_to_end_without_extraction(cc_sample, tmp_path):
    """OLM's input: a WET file goes through the whole CC pipeline, its text untouched by the extraction step."""
    sample = cc_sample[0]  # the sample's pages, extracted from its WARCs by the CC pipeline (conftest)
    wet = tmp_path / "CC-MAIN-20221126080725-20221126110725-00000.warc.wet.gz"
    pages = write_wet_from_run(sample, wet)
    out = tmp_path / "wet-run"
    proc = olm("run", CC, "--input", str(wet), "--output", str(out), "--lm", str(sample / "wikipedia" / "lm"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    steps = {s["step"]: s["counts"] for s in json.loads((out / "stats.json").read_text())["filter"]}
    [reader] = [c for name, c in steps.items() if "WARC" in name]
    [extractor] = [c for name, c in steps.items() if "EXTRAC" in name.upper()]
    assert reader["wet_records"] == pages and extractor["already_text"] == pages
    kept = {
        row["id"]: row["text"] for f in (out / "filtered").glob("*.parquet") for row in pq.read_table(f).to_pylist()
    }
    assert len(kept) >= pages * 0.8  # pages that passed the filters once pass them again
