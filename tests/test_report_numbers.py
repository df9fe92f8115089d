"""The numbers of the run report and the Hub card agree with stats.json and with the sampling plan."""

import json
import re
from pathlib import Path

import pytest

from olm_data.hub import export
from olm_data.report import build_report, find_perplexity

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample_run(cc_sample) -> Path:
    """The CC sample run in 3 tasks (conftest.cc_sample): its damaged WARC is read by the last task."""
    return cc_sample[0]


def section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}"')
    return page[start : page.index("</section>", start)]


def table_rows(html_part: str) -> list[list[str]]:
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", html_part)]


def number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_perplexity_cut_lines_are_the_plan_cut_values(sample_run):
    plan = json.loads((sample_run / "work/perplexity/sampling.json").read_text())
    cuts = find_perplexity(sample_run)["cuts"]
    # the bucket percentiles (30, 60) are percent ranks: the lines are at the perplexities the plan cuts at
    assert cuts["bucket cut p30"] == pytest.approx(plan["bucket_cuts"][0])
    assert cuts["bucket cut p60"] == pytest.approx(plan["bucket_cuts"][1])
    assert 30.0 not in cuts.values() and 60.0 not in cuts.values()
    page = section(build_report(sample_run), "perplexity")
    cut_rows = table_rows(page[: page.index("</table>")])
    assert {r[0] for r in cut_rows} >= {"bucket cut p30", "bucket cut p60"}
    assert all(number(r[1]) > 60 for r in cut_rows)
    bin_rows = table_rows(page[page.index("</table>") :])
    assert 0 < len(bin_rows) <= 10  # a short table; the plot has the fine bins
    assert sum(int(r[1]) for r in bin_rows) == plan["documents"]


def test_drop_totals_match_stats_json_and_count_each_drop_once(sample_run):
    stats = json.loads((sample_run / "stats.json").read_text())
    dropped = sum(step["counts"].get("dropped", 0) for steps in stats.values() for step in steps)
    page = build_report(sample_run)
    drop_rows = table_rows(section(page, "drops"))
    assert sum(int(number(r[2])) for r in drop_rows) == dropped
    sampler = stats["perplexity_sample"][1]["counts"]
    assert [r[0] for r in drop_rows].count("perplexity_gaussian") == 1
    assert not {"head", "middle", "tail"} & {r[0] for r in drop_rows}
    assert sampler["dropped"] == sampler["dropped_perplexity_gaussian"] > 0


def test_one_funnel_per_pipeline_and_no_model_folder_with_documents(sample_run):
    page = build_report(sample_run)
    assert "<h2>Funnel: Wikipedia dump</h2>" in page and "<h2>Funnel: Common Crawl WARC</h2>" in page
    cc = section(page, "funnel-1")
    assert "wikipedia_" not in cc  # the CC chart and table hold only CC steps
    summary = page[page.index("<table>") : page.index("</table>")]
    rows = {r[0]: r for r in table_rows(summary)}
    assert rows["wikipedia/lm"][2] == ""  # a model folder: files and bytes, no documents
    assert int(number(rows["sampled"][2])) == 18 and int(number(rows["wikipedia/deduped"][2])) == 25


DAMAGED = "CC-MAIN-2022-49-sample-00002.warc.gz @ 50556"  # the sample's cut-off last WARC and where it breaks


def test_input_health_section_lists_the_damage_counters(sample_run):
    page = build_report(sample_run)
    rows = table_rows(section(page, "health"))
    [row] = [r for r in rows if r[0] == "truncated_file"]
    assert row[1:3] == ["filter: READER: Common Crawl WARC", "1"] and DAMAGED in row[3]


def test_console_names_where_the_damage_is_whichever_task_met_it(cc_sample):
    _, console = cc_sample
    lines = console.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("input health: "))
    assert "truncated_file 1" in lines[i]
    assert lines[i + 1].startswith("  truncated_file: ") and DAMAGED in lines[i + 1]


def test_hub_card_funnel_counts_each_drop_once(sample_run, tmp_path):
    export(sample_run, "olm-test", tmp_path / "hub")
    card = (tmp_path / "hub" / "README.md").read_text()
    sampler_row = next(line for line in card.splitlines() if line.startswith("| perplexity_sample | FILTER"))
    assert "perplexity_gaussian=18" in sampler_row
    assert "head=" not in sampler_row and "tail=" not in sampler_row


def test_hub_export_publishes_no_local_absolute_paths(sample_run, tmp_path):
    import pyarrow.parquet as pq

    export(sample_run, "olm-test", tmp_path / "hub")
    card = (tmp_path / "hub" / "README.md").read_text()
    command = next(line for line in card.splitlines() if line.startswith("Command:"))
    assert str(sample_run) not in command and "--output cc" in command  # the run folder by its name only
    exported = (tmp_path / "hub" / "manifest.json").read_text()
    assert str(sample_run) not in exported and str(ROOT) not in exported
    assert json.loads(exported)["cwd"] == "."
    files = pq.read_table(next((tmp_path / "hub" / "data").glob("*.parquet")), columns=["source_file"])
    sources = set(files.column("source_file").to_pylist())
    assert sources and all(not s.startswith("/") for s in sources)
    assert all(s.endswith(".warc.gz") for s in sources)
