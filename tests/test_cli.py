"""`olm-data` as a user types it: one-line errors with exit code 2, and the sample builds end to end."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_helpers import CC, ROOT, olm

from olm_data import __version__, samples
from olm_data.cli import main


def read_docs(folder: Path) -> list[dict]:
    docs = []
    for f in sorted(folder.rglob("*.parquet")):
        docs.extend(pq.read_table(f).to_pylist())
    return docs


def test_version_and_help():
    out = olm("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"olm-data {__version__}"
    out = olm("run", CC, "--help")
    assert out.returncode == 0
    assert "--sample-ratio" in out.stdout and "--tasks" in out.stdout  # the pipeline's own flags are listed


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", CC, "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["run", CC, "--input", "does/not/exist.warc.gz"], "input not found: does/not/exist.warc.gz"),
        (["run", "no_such_pipeline.py"], "pipeline file not found"),
        (["run", CC, "--tasks", "0"], "expected a positive integer"),
        (["run", CC, "--lid-model", "missing.ftz"], "--lid-model: file not found"),
        (["run", CC, "--http-timeout", "0"], "expected a positive number of seconds"),
        (["run", CC, "--executor", "slurm", "--allow-missing", "1"], "works with the local executor only"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args, message):
    out = olm(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_pipeline_with_syntax_error(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("def stages(run):\n    return [\n")
    out = olm("run", str(bad))
    assert out.returncode == 2
    assert out.stderr.startswith("olm-data: error:") and "broken.py:" in out.stderr and "syntax" in out.stderr
    assert "Traceback" not in out.stderr


def test_pipeline_without_stages_function(tmp_path):
    bad = tmp_path / "nothing.py"
    bad.write_text("X = 1\n")
    out = olm("run", str(bad))
    assert out.returncode == 2 and "must define `stages(run)" in out.stderr


@pytest.fixture(scope="module")
def cc_sample_runs(cc_sample, tmp_path_factory):
    """The CC pipeline on the bundled sample, twice, into two fresh folders (with 3 tasks): the session's run and
    one more, in one worker process."""
    out = tmp_path_factory.mktemp("b")
    assert main(["run", CC, "--sample", "--output", str(out), "--tasks", "3", "--workers", "1"]) == 0
    return [cc_sample[0], out]


def test_sample_run_is_byte_identical(cc_sample_runs):
    a, b = cc_sample_runs
    files_a = sorted(p.relative_to(a) for p in (a / "filtered").rglob("*.parquet"))
    assert files_a, "the sample run wrote no corpus"
    assert files_a == sorted(p.relative_to(b) for p in (b / "filtered").rglob("*.parquet"))
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), f"{rel} differs between two identical runs"


def test_sample_run_keeps_english_and_drops_the_rest(cc_sample_runs):
    out = cc_sample_runs[0]
    expected = samples.expected()
    urls = {d["metadata"]["url"] for d in read_docs(out / "filtered")}
    english = set(expected["english"])
    assert len(urls & english) >= 0.8 * len(english)
    for lang_urls in expected["non_english"].values():
        assert not urls & set(lang_urls)
    assert not urls & set(expected["wikipedia_url"])
    assert not urls & set(expected["non_html"])
    assert not urls & set(expected["short"])
    docs = read_docs(out / "filtered")
    meta = docs[0]["metadata"]
    assert {"url", "date", "source_file", "offset", "content_type", "snapshot", "language", "language_score"} <= set(
        meta
    )
    assert all(d["metadata"]["language"] == "en" and d["metadata"]["language_score"] >= 0.8 for d in docs)


def test_sample_run_writes_readable_stats(cc_sample_runs):
    out = cc_sample_runs[0]
    stats = json.loads((out / "stats.json").read_text())
    steps = {s["step"]: s for s in stats["filter"]}
    lid = next(s for name, s in steps.items() if "language" in name)
    assert lid["counts"]["dropped_lid_not_in_languages"] >= 5  # de, fr, es, ru, zh pages
    reader = next(s for name, s in steps.items() if "WARC" in name)
    assert reader["counts"]["truncated_file"] == 1
    assert reader["counts"]["skipped_non_html"] >= 3


def test_rerun_resumes_and_refuses_a_different_task_count(cc_sample_runs):
    out = cc_sample_runs[1]  # this file's own run: the session's is only read
    before = {p: p.read_bytes() for p in (out / "filtered").rglob("*.parquet")}
    # completed tasks are skipped: same files, untouched
    assert main(["run", CC, "--sample", "--output", str(out), "--tasks", "3"]) == 0
    assert before == {p: p.read_bytes() for p in (out / "filtered").rglob("*.parquet")}
    proc = olm("run", CC, "--sample", "--output", str(out), "--tasks", "2")
    assert proc.returncode == 2 and "--tasks 3" in proc.stderr


def test_real_input_without_a_reference_lm_is_a_clear_error(tmp_path):
    warc = str(samples.warc_files()[0])
    out = olm("run", CC, "--input", warc, "--output", str(tmp_path), "--lm", str(tmp_path / "no-lm"))
    assert out.returncode == 2 and "no reference LM" in out.stderr and "Traceback" not in out.stderr


def test_iana_warc_real_crawl(cc_sample, tmp_path):
    iana = ROOT.parent / "shared" / "data" / "warc" / "iana.warc.gz"
    if not iana.exists():
        pytest.skip("real iana.org WARC not available (../shared/data)")
    wiki = cc_sample[0] / "wikipedia"  # the reference LM for perplexity sampling, from the bundled Wikipedia sample
    argv = ["run", CC, "--input", str(iana), "--output", str(tmp_path / "cc"), "--lm", str(wiki / "lm")]
    assert main(argv) == 0
    tmp_path = tmp_path / "cc"
    stats = json.loads((tmp_path / "stats.json").read_text())
    extractor = next(s for s in stats["filter"] if "Trafilatura" in s["step"])
    assert extractor["counts"]["extracted"] >= 10  # the iana.org HTML pages
    reader = next(s for s in stats["filter"] if "WARC" in s["step"])
    assert reader["counts"]["skipped_non_html"] > 0  # JS, CSS, images, fonts are not documents
