"""report.html: one self-contained page (plots inlined) with the numbers behind them; it renders in Chromium."""

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from olm_data.cli import main
from olm_data.manifest import write_manifest
from olm_data.report import build_report

SECTIONS = ["funnel", "drops", "languages", "lengths", "domains", "perplexity", "clusters"]
STATS = {
    "filter": [
        {
            "step": "READER: Common Crawl WARC",
            "counts": {"input_files": 3},
            "docs": 120,
            "chars": 900_000,
            "seconds": 1,
        },
        {
            "step": "FILTER: fastText language ID",
            "counts": {"total": 120, "forwarded": 100, "dropped": 20, "dropped_lid_not_in_languages": 20},
            "docs": 100,
            "chars": 500_000,
            "seconds": 1,
        },
        {"step": "WRITER: Parquet", "counts": {"total": 100}, "docs": 100, "chars": 500_000, "seconds": 1},
    ],
    "minhash_filter": [
        {
            "step": "DEDUP: olm MinHash filter",
            "counts": {"total": 100, "forwarded": 90, "dropped": 10, "dropped_duplicate": 10},
            "docs": None,
            "chars": None,
            "seconds": 1,
        },
        {"step": "WRITER: Parquet", "counts": {"total": 90}, "docs": 90, "chars": 450_000, "seconds": 1},
    ],
}


def write_docs(folder: Path, docs: list[Document]) -> None:
    with ParquetWriter(str(folder)) as w:
        for d in docs:
            w.write(d, rank=0)


@pytest.fixture
def run_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "stats.json").write_text(json.dumps(STATS))
    docs = []
    for i in range(90):
        meta = {
            "url": f"https://{'www.' if i % 2 else ''}site{i % 4}.org/p{i}",  # site0.org: 23 docs, www. dropped
            "language": "en",
            "perplexity": 50.0 + 10 * i,
            "minhash_duplicates": 2 if i < 3 else 0,
        }
        docs.append(Document(text="x" * (100 + 37 * i), id=str(i), metadata=meta))
    write_docs(out / "final", docs)
    rejected = [Document(text="texte", id=f"r{i}", metadata={"language": "fr" if i < 15 else "de"}) for i in range(20)]
    write_docs(out / "rejected" / "lid", rejected)
    ppl = out / "work" / "perplexity"
    ppl.mkdir(parents=True)
    hist = {
        "histogram": {"edges": [10, 100, 1000, 10000], "counts": [40, 45, 5]},
        "cut_points": {"p30": 80.0, "p60": 300.0},
    }
    (ppl / "histogram.json").write_text(json.dumps(hist))
    tsv = ["cluster\tstatus\tid"] + [
        f"{c}\t{'kept' if j == 0 else 'duplicate'}\td{c}-{j}" for c in range(3) for j in range(3)
    ]
    tsv += ["3\tkept\td3-0", "3\tduplicate\td3-1"]
    (out / "work" / "dedup").mkdir(parents=True)
    (out / "work" / "dedup" / "clusters.tsv").write_text("\n".join(tsv) + "\n")
    write_manifest(out, {"final_output": "final", "command": ["olm-data", "run", "p.py"], "models": {}, "inputs": []})
    return out


def section(page: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}"[^>]*>(.*?)</section>', page, re.S)
    assert m, f"no section {anchor}"
    return m.group(1)


def test_every_section_has_a_plot_and_its_numbers(run_output):
    page = build_report(run_output)
    assert "http://" not in page.replace("https://site", "") and "<script" not in page  # self-contained, static
    for anchor in SECTIONS:
        assert '<img alt="' in section(page, anchor), f"section {anchor} has no plot"
    assert page.count("data:image/svg+xml;base64,") == len(SECTIONS)
    funnel = section(page, "funnel")
    assert "filter: FILTER: fastText language ID</td><td>120</td><td>100</td><td>500,000" in funnel
    assert "lid_not_in_languages</td><td>filter: FILTER: fastText language ID</td><td>20" in section(page, "drops")
    assert "<td>en</td><td>90</td><td>0</td>" in section(page, "languages")
    assert "<td>fr</td><td>0</td><td>15</td>" in section(page, "languages")  # from OUT/rejected/
    assert "<td>site0.org</td><td>23</td>" in section(page, "domains")  # www. folded into the domain
    assert "<td>min</td><td>100</td>" in section(page, "lengths")
    ppl = section(page, "perplexity")
    assert "work/perplexity/histogram.json" in ppl and "<td>p30</td><td>80</td>" in ppl
    assert "<td>3</td><td>3</td><td>9</td>" in section(page, "clusters")  # 3 clusters of 3 docs
    assert "<td>2</td><td>1</td><td>2</td>" in section(page, "clusters")


def test_perplexity_histogram_in_the_sampling_stage_format(run_output):
    """The perplexity stages write `perplexity_histogram.json` with bin_edges, counts and named cuts."""
    (run_output / "work" / "perplexity" / "histogram.json").unlink()
    report = {
        "documents": 90,
        "bin_edges": [10.0, 31.6, 100.0, 316.2, 1000.0],
        "counts": [5, 40, 40, 5],
        "cuts": {"bucket_cuts": [60.5, 180.25], "quartiles": [40.0, 100.0, 250.0]},
        "percentiles": {"p10": 20.0, "p90": 500.0},
    }
    (run_output / "work" / "perplexity" / "perplexity_histogram.json").write_text(json.dumps(report))
    ppl = section(build_report(run_output), "perplexity")
    assert "perplexity_histogram.json" in ppl and "<img" in ppl
    assert "<td>bucket_cuts[0]</td><td>60.5</td>" in ppl and "<td>quartiles[2]</td><td>250</td>" in ppl
    assert "<td>100 - 316.2</td><td>40</td>" in ppl


def test_bad_or_missing_data_degrades_to_notes(run_output):
    (run_output / "work" / "perplexity" / "histogram.json").write_text("{not json")
    (run_output / "work" / "dedup" / "clusters.tsv").unlink()
    (run_output / "final" / "zz-broken.parquet").write_bytes(b"PAR1 cut short")
    page = build_report(run_output)
    assert "from document metadata" in section(page, "perplexity")  # falls back to the docs' perplexity
    assert "minhash_duplicates" in section(page, "clusters")  # from the kept docs: 3 clusters of size 3
    (run_output / "stats.json").unlink()
    page = build_report(run_output)
    assert "no OUT/stats.json yet" in section(page, "funnel")


def test_report_command(run_output, tmp_path, capsys):
    (run_output / "report.html").unlink(missing_ok=True)
    assert main(["report", str(run_output)]) == 0
    assert (run_output / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (run_output / "report.html").read_text() == build_report(run_output)  # same run, same bytes (SVG ids)
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "output folder not found" in capsys.readouterr().err


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if path := shutil.which(name):
            return path
    return None


PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  const f = document.querySelector("#funnel img");
  const r = f ? f.getBoundingClientRect() : {width: 0, height: 0};
  const h = document.querySelector("#funnel h2");
  document.body.setAttribute("data-check", JSON.stringify(
    {images: imgs.length, broken: broken, funnel: [r.width, r.height], title: h ? h.innerText : ""}));
});
</script>"""


@pytest.mark.skipif(browser() is None, reason="no Chromium/Chrome on PATH (Debian: apt-get install chromium)")
def test_report_renders_in_headless_chromium(run_output, tmp_path):
    main(["report", str(run_output)])
    probe = tmp_path / "probe.html"  # the report plus a script that checks every image decoded
    probe.write_text((run_output / "report.html").read_text().replace("</body>", PROBE + "</body>"))
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    flags += ["--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [browser(), *flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    m = re.search(r'data-check="([^"]*)"', dom)
    assert m, f"the page did not load: {dom[:500]}"
    check = json.loads(html.unescape(m.group(1)))
    assert check["images"] == len(SECTIONS) and check["broken"] == 0
    assert check["funnel"][0] > 300 and check["funnel"][1] > 100 and check["title"] == "Funnel"
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser(), *flags, "--hide-scrollbars", "--window-size=1280,2400", f"--screenshot={shot}", probe.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert shot.stat().st_size > 50_000  # a rendered page of plots, not a blank one
