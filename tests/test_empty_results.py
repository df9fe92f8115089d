"""An empty result is a result: runs whose documents all disappear finish with stats, manifest and report.

Inputs that yield no document at all exit 2 with one line saying so; filters that drop everything exit 0.
"""

import json
from pathlib import Path

from cli_helpers import CC, WIKI, olm
from warc_fixtures import html_page, response, warcinfo, write_warc
from wiki_fixtures import write_plain_dump

from olm_data.funnel import docs_out

GERMAN = [
    "Die Stadtverwaltung hat am Montag beschlossen, die Bibliothek in der Innenstadt bis zum Sommer zu renovieren. "
    "Die Arbeiten sollen im März beginnen und werden von örtlichen Handwerksbetrieben ausgeführt.",
    "Nach Angaben der Bürgermeisterin wird das Gebäude während der Umbauphase geschlossen bleiben. Die Ausleihe "
    "von Büchern ist in dieser Zeit in der Zweigstelle am Bahnhof möglich, die länger geöffnet haben wird.",
    "Viele Bürgerinnen und Bürger begrüßen die Entscheidung, weil die Räume seit Jahren zu klein und zu dunkel "
    "sind. Auch die Heizung und die Fenster werden erneuert, damit im Winter weniger Energie verbraucht wird.",
]


def assert_finished(out: Path) -> dict:
    for name in ("stats.json", "manifest.json", "report.html"):
        assert (out / name).is_file(), name
    return json.loads((out / "stats.json").read_text())


def test_limit_0_finishes_and_says_the_inputs_yielded_nothing(tmp_path):
    res = olm("run", CC, "--sample", "--limit", "0", "--output", str(tmp_path))
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr and "No files found" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("olm-data: error:")]
    assert len(errors) == 1 and "the inputs yielded no documents" in errors[0]
    assert "Common Crawl WARC: 0 read" in errors[0] and "Wikipedia dump: 0 read" in errors[0]
    stats = assert_finished(tmp_path)
    assert "perplexity_sample" in stats and "minhash_filter" in stats  # every stage ran, on zero documents


def test_empty_wikipedia_dump_finishes_with_exit_2(tmp_path):
    dump = write_plain_dump(tmp_path / "empty.xml.bz2", [])
    res = olm("run", WIKI, "--input", str(dump), "--output", str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    assert "the inputs yielded no documents; documents: Wikipedia dump: 0 read from 1 input file(s)" in res.stderr
    stats = assert_finished(tmp_path / "out")
    assert docs_out(stats["articles"][0]) == 0 and "minhash_filter" in stats


def test_language_id_dropping_everything_is_a_result(cc_sample, tmp_path):
    warc = tmp_path / "de.warc.gz"
    pages = [response(f"https://www.stadtblatt-online.de/{i}", html_page(f"Bibliothek {i}", GERMAN)) for i in range(3)]
    write_warc(warc, [warcinfo(), *pages])
    lm = str(cc_sample[0] / "wikipedia" / "lm")  # the sample's reference LM, built once (conftest)
    res = olm("run", CC, "--sample", "--input", str(warc), "--output", str(tmp_path / "out"), "--lm", lm)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("documents:"))
    assert (
        "Common Crawl WARC: 3 read from 1 input file(s) -> 0 in the output (dropped: lid_not_in_languages 3)" in line
    )
    stats = assert_finished(tmp_path / "out")
    assert docs_out(stats["perplexity_sample"][-1]) == 0
    assert not list((tmp_path / "out" / "sampled").rglob("*.parquet"))


def test_runs_that_read_no_raw_input_are_not_empty_inputs(capsys):
    """Only a stage that reads raw input (WARCs, a dump) can say the inputs yielded nothing: a run of in-process
    action stages (olm_december_2022.py --cc X --wikipedia Y) or one that starts from a parquet corpus exits 0."""
    from olm_data.funnel import print_outcome

    assert print_outcome({}) == 0
    parquet_first = {"dedup": [{"step": "READER: Parquet", "counts": {}, "docs": 5, "chars": 50, "seconds": 0.1}]}
    assert print_outcome(parquet_first) == 0
    warc = {"filter": [{"step": "READER: Common Crawl WARC", "counts": {"input_files": 1}, "docs": 0, "chars": 0}]}
    assert print_outcome(warc) == 2 and "the inputs yielded no documents" in capsys.readouterr().err
