"""`olm-data report OUT`: one self-contained HTML page about a run, written as OUT/report.html after every run.

People would rather look than read: each section is a matplotlib plot (SVG inlined as base64, so the page needs no
network and no other file) with the numbers behind it in a table. Sections:

* funnel: documents in/out and text size (characters) after every step (`OUT/stats.json`);
* drop reasons: every `dropped_*` counter of every step;
* language mix: the `language` of the kept documents, and of the rejected ones when `--keep-rejected` saved them;
* document length, top domains: from the final corpus (the first `MAX_DOCS` documents, in shard order);
* perplexity: a histogram with its cut points, from any perplexity JSON under OUT with `edges`/`counts`
  (or bins/hist) and cut points, else from the documents' `perplexity` metadata;
* duplicate clusters: cluster sizes from a MinHash cluster report (`clusters.tsv` with `cluster`/`status`
  columns), else from the kept documents' `minhash_duplicates` metadata.

A section whose data is absent says so in one line; nothing here ever fails a run.
"""

from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPORT_NAME = "report.html"
MAX_DOCS = 100_000  # documents read from the corpus for lengths, domains and languages
TOP_N = 20
MAX_BIN_ROWS = 10  # rows of a histogram's table
_CUT_KEYS = ("cut_points", "cuts", "cutoffs", "cutoff", "thresholds", "threshold", "boundaries", "percentiles")
_EDGE_KEYS = ("edges", "bin_edges", "bins")
_COUNT_KEYS = ("counts", "hist", "histogram", "count")


# ------------------------------------------------------------------------------------------------- data
def load_stats(output: Path) -> dict[str, Any]:
    path = output / "stats.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def load_manifest(output: Path) -> dict[str, Any]:
    path = output / "manifest.json"
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def corpus_folder(output: Path, manifest: dict[str, Any], source: str | None = None) -> Path | None:
    """The final corpus: `--source`, else the manifest's `final_output`, else the only top folder with parquet."""
    if source:
        return output / source
    if manifest.get("final_output") and (output / manifest["final_output"]).is_dir():
        return output / manifest["final_output"]
    candidates = [
        d
        for d in sorted(output.iterdir())
        if d.is_dir() and d.name not in ("logs", "rejected") and any(d.rglob("*.parquet"))
    ]
    return candidates[0] if len(candidates) == 1 else None


def read_docs(folder: Path, max_docs: int = MAX_DOCS) -> dict[str, list]:
    """Lengths, urls, languages and per-doc numbers (perplexity, minhash_duplicates) of up to `max_docs` docs."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    cols: dict[str, list] = {"length": [], "url": [], "language": [], "perplexity": [], "minhash_duplicates": []}
    n = 0
    for f in sorted(folder.rglob("*.parquet")):
        try:
            pf = pq.ParquetFile(f)
        except Exception:  # a damaged shard: the report describes the others
            continue
        names = set(pf.schema_arrow.names)
        meta_fields = set()
        if "metadata" in names:
            meta_type = pf.schema_arrow.field("metadata").type
            meta_fields = (
                {meta_type.field(i).name for i in range(meta_type.num_fields)} if meta_type.num_fields else set()
            )
        for batch in pf.iter_batches(batch_size=8192, columns=[c for c in ("text", "metadata") if c in names]):
            take = min(batch.num_rows, max_docs - n)
            batch = batch.slice(0, take)
            if "text" in names:
                cols["length"].extend(pc.utf8_length(batch.column("text")).to_pylist())
            for key in ("url", "language", "perplexity", "minhash_duplicates"):
                if key in meta_fields:
                    cols[key].extend(pc.struct_field(batch.column("metadata"), key).to_pylist())
                elif key in names:
                    cols[key].extend(batch.column(key).to_pylist())
            n += take
            if n >= max_docs:
                return cols
    return cols


def find_perplexity(output: Path) -> dict[str, Any] | None:
    """The first JSON under OUT (path mentioning perplexity/ppl) holding a histogram: {edges, counts, cuts, file}."""
    files = [
        p
        for p in sorted(output.rglob("*.json"))
        if "logs" not in p.relative_to(output).parts[:1]
        and p.name not in ("manifest.json", "stats.json")
        and ("perplex" in str(p.relative_to(output)).lower() or "ppl" in str(p.relative_to(output)).lower())
        and p.stat().st_size < 50 * 2**20
    ]
    for path in files:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found = _find_histogram(data)
        if found:
            edges, counts = found
            cuts = _find_cuts(data)
            ranks = data.get("cuts", {}).get("bucket_percentiles") if isinstance(data.get("cuts"), dict) else None
            for i, rank in enumerate(ranks or []):
                if f"bucket_cuts[{i}]" in cuts:
                    cuts[f"bucket cut p{rank:g}"] = cuts.pop(f"bucket_cuts[{i}]")
            return {"edges": edges, "counts": counts, "cuts": cuts, "file": str(path.relative_to(output))}
    return None


def _numbers(value: Any) -> list[float] | None:
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return [float(v) for v in value]
    return None


def _find_histogram(data: Any, depth: int = 0) -> tuple[list[float], list[float]] | None:
    if depth > 4:
        return None
    if isinstance(data, dict):
        edges = next((_numbers(data[k]) for k in _EDGE_KEYS if k in data and _numbers(data[k])), None)
        counts = next((_numbers(data[k]) for k in _COUNT_KEYS if k in data and _numbers(data[k])), None)
        if edges and counts and len(edges) == len(counts) + 1:
            return edges, counts
        for value in data.values():
            found = _find_histogram(value, depth + 1)
            if found:
                return found
    return None


def _find_cuts(data: Any) -> dict[str, float]:
    """Named cut points from the first cut-like key found (cut points before percentiles), searched breadth-first.

    `{"cuts": {"bucket_cuts": [120, 300], "cutoff": 1500}}` -> {"bucket_cuts[0]": 120, "bucket_cuts[1]": 300,
    "cutoff": 1500}; `{"cut_points": {"p30": 80}}` -> {"p30": 80}.
    """
    for wanted in _CUT_KEYS:
        level = [data]
        for _ in range(5):
            nxt = []
            for node in level:
                if not isinstance(node, dict):
                    continue
                for key, value in node.items():
                    if key.lower() == wanted:
                        cuts = _flatten_numbers(value, key)
                        if cuts:
                            return cuts
                    nxt.append(value)
            level = nxt
    return {}


def _flatten_numbers(value: Any, name: str) -> dict[str, float]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {name: float(value)}
    if isinstance(value, list):
        return {f"{name}[{i}]": float(v) for i, v in enumerate(value) if isinstance(v, int | float)}
    if isinstance(value, dict):
        out: dict[str, float] = {}
        for k, v in value.items():
            if str(k).lower().endswith("_percentiles"):  # percent ranks (30, 60), not perplexities: no cut line
                continue
            out.update(_flatten_numbers(v, str(k)))
        return out
    return {}


def find_cluster_sizes(output: Path) -> tuple[Counter, str] | None:
    """{cluster size: number of clusters} from a MinHash cluster report TSV under OUT, and its path."""
    for path in sorted(output.rglob("*.tsv")):
        if "logs" in path.relative_to(output).parts[:1]:
            continue
        try:
            with open(path, newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f, delimiter="\t")
                if not reader.fieldnames or "cluster" not in reader.fieldnames or "status" not in reader.fieldnames:
                    continue
                members = Counter(row["cluster"] for row in reader)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        return Counter(members.values()), str(path.relative_to(output))
    return None


# ------------------------------------------------------------------------------------------------- plots
def _svg(fig: Any) -> str:
    """The figure as base64 SVG for an <img>: vector plots, sharp at any zoom, ~25% less CPU than a PNG of it and
    smaller. Text stays text (`svg.fonttype` none) and element ids are salted with a constant, so the same numbers
    give the same bytes."""
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "olm-data"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return base64.b64encode(buf.getvalue().encode("utf-8")).decode("ascii")


def _barh(labels: list[str], series: dict[str, list[float]], title: str, xlabel: str, log: bool = False) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 0.45 * len(labels) + 1.4))
    height = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.barh([y + i * height for y in range(len(labels))], values, height=height, label=name)
    ax.set_yticks([y + height * (len(series) - 1) / 2 for y in range(len(labels))], labels)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    if log:
        ax.set_xscale("log")
    if len(series) > 1:
        ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def _funnel_rows(stats: dict[str, Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    """(every step, the steps documents flow through) of one pipeline: [label, docs in, docs out, characters out].

    The flow is the first stage's reader, every step that forwards documents (filters, extractors, dedup
    filters), and the last stage's writer; later readers re-read an earlier output and dedup bookkeeping steps
    (keys, buckets, clusters) pass no documents, so they are in the table but not in the plot.
    """
    rows, flow = [], []
    stages = list(stats.items())
    for si, (stage, steps) in enumerate(stages):
        for i, step in enumerate(steps):
            counts = step.get("counts", {})
            row = [
                f"{stage}: {step['step']}",
                counts.get("total"),
                counts.get("forwarded", step.get("docs")),
                step.get("chars"),
            ]
            rows.append(row)
            first_reader = si == 0 and i == 0
            last_writer = si == len(stages) - 1 and i == len(steps) - 1 and step["step"].startswith("WRITER")
            if first_reader or "forwarded" in counts or last_writer:
                flow.append(row)
    return rows, flow


def _funnel(stats: dict[str, Any], title: str = "") -> tuple[str, list[list[Any]]] | None:
    import matplotlib.pyplot as plt

    rows, flow = _funnel_rows(stats)
    if not flow:
        return None
    labels = [r[0] for r in flow]
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 0.45 * len(flow) + 1.6), sharey=True, layout="constrained")
    if title:
        fig.suptitle(title)
    y = list(range(len(flow)))
    a.barh(y, [r[1] or 0 for r in flow], color="#c9d6e8", label="in")
    a.barh(y, [r[2] or 0 for r in flow], height=0.5, color="#2f6db5", label="out")
    a.set_yticks(y, labels)
    a.invert_yaxis()
    a.set_title("documents after each step")
    a.legend(loc="lower right")
    b.barh(y, [r[3] or 0 for r in flow], color="#4c9a5b")
    b.set_title("text size after each step (characters)")
    for ax in (a, b):
        ax.grid(axis="x", alpha=0.3)
    return _svg(fig), rows


def _histogram(values: list[float], title: str, xlabel: str, log: bool, cuts: dict[str, float] | None = None):
    import numpy as np

    arr = np.asarray([v for v in values if v is not None and (v > 0 or not log)], dtype=float)
    if arr.size == 0:
        return None, []
    lo, hi = float(arr.min()), float(arr.max())
    if log:
        edges = np.logspace(math.log10(lo), math.log10(hi if hi > lo else lo * 10), 41)
    else:
        edges = np.linspace(lo, hi if hi > lo else lo + 1, 41)
    counts, edges = np.histogram(arr, bins=edges)
    return _plot_hist(edges.tolist(), counts.tolist(), title, xlabel, log, cuts), list(
        zip(edges, counts, strict=False)
    )


def _plot_hist(edges: list[float], counts: list[float], title: str, xlabel: str, log: bool, cuts=None) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.6))
    widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
    ax.bar(edges[:-1], counts, width=widths, align="edge", color="#2f6db5", edgecolor="white", linewidth=0.4)
    if log:
        ax.set_xscale("log")
    styles = ["--", ":", "-.", (0, (5, 1)), (0, (1, 3))]
    colors = ["#d1495b", "#edae49", "#00798c", "#30638e", "#66a182"]
    for i, (name, value) in enumerate(sorted((cuts or {}).items(), key=lambda kv: kv[1])):
        # names in a legend, not on the plot: cut points close together would print over each other
        ax.axvline(value, color=colors[i % 5], linestyle=styles[i % 5], linewidth=1.4, label=f"{name} = {value:.4g}")
    if cuts:
        ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("documents")
    ax.grid(axis="y", alpha=0.3)
    return _svg(fig)


# ------------------------------------------------------------------------------------------------- html
def _table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        if isinstance(v, int):
            return f"{v:,}"
        return html.escape("" if v is None else str(v))

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(anchor: str, title: str, svg: str | None, table: str, note: str = "") -> str:
    img = f'<img alt="{html.escape(title)}" src="data:image/svg+xml;base64,{svg}">' if svg else ""
    note_html = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f'<section id="{anchor}"><h2>{html.escape(title)}</h2>{note_html}{img}{table}</section>'


def _missing(anchor: str, title: str, why: str) -> str:
    return f'<section id="{anchor}" class="missing"><h2>{html.escape(title)}</h2><p class="note">{html.escape(why)}</p></section>'


def _folder_rows(outputs: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """[folder, files, documents, bytes] per output folder (two levels deep, so `wikipedia/lm` is not lumped with
    `wikipedia/deduped`); a folder without document files (a model, a tokenizer) has no documents count."""
    folders: dict[str, list[Any]] = {}
    for rel, entry in outputs.items():
        parts = rel.split("/")[:-1]
        row = folders.setdefault("/".join(parts[:2]) or ".", [0, None, 0])
        row[0] += 1
        row[2] += entry.get("bytes", 0)
        if "docs" in entry:
            row[1] = (row[1] or 0) + entry["docs"]
    return [[name, *row] for name, row in sorted(folders.items())]


def build_report(output: str | os.PathLike, source: str | None = None) -> str:
    """The HTML page for an output folder (every section guarded: bad data shows as a note, never an exception)."""
    import matplotlib

    matplotlib.use("Agg")
    output = Path(output)
    manifest = load_manifest(output)
    sections = []
    for builder in (_sec_funnel, _sec_drops, _sec_health, _sec_docs, _sec_perplexity, _sec_clusters):
        try:
            sections.extend(builder(output, manifest, source))
        except Exception as e:  # other helpers' files may change shape; say so instead of failing
            name = builder.__name__.removeprefix("_sec_")
            sections.append(_missing(name, name, f"could not build this section: {type(e).__name__}: {e}"))
    command = " ".join(manifest.get("command", [])) or "(no manifest.json)"
    summary = _table(["output folder", "files", "documents", "bytes"], _folder_rows(manifest.get("outputs", {})))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>olm-data report: {html.escape(output.name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 2em; }}
img {{ max-width: 100%; display: block; margin: .5em 0; }}
table {{ border-collapse: collapse; font-size: .85em; margin: .5em 0; }}
td, th {{ border: 1px solid #ddd; padding: .2em .6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
code {{ background: #f3f3f3; padding: .1em .3em; }} .note {{ color: #666; }}
nav a {{ margin-right: 1em; }}
</style></head><body>
<h1>olm-data run report</h1>
<p>Output <code>{html.escape(str(output.resolve()))}</code>, written {html.escape(manifest.get("created", "?"))}
by olm-data {html.escape(str(manifest.get("olm_data_version", "?")))}.</p>
<p>Command: <code>{html.escape(command)}</code></p>
<nav><a href="#funnel">funnel</a><a href="#drops">drop reasons</a><a href="#health">input health</a>
<a href="#languages">languages</a>
<a href="#lengths">document length</a><a href="#domains">domains</a><a href="#perplexity">perplexity</a>
<a href="#clusters">duplicate clusters</a></nav>
{summary}
{"".join(sections)}
</body></html>
"""


def _sec_funnel(output: Path, manifest: dict, source: str | None) -> list[str]:
    from olm_data.funnel import pipelines

    stats = load_stats(output)
    if not stats:
        return [_missing("funnel", "Funnel", "no OUT/stats.json yet (the run has not finished)")]
    out = []
    groups = pipelines(stats)
    for i, (label, group) in enumerate(groups):  # one chart per pipeline: a Wikipedia and a CC funnel never mix
        funnel = _funnel(group, label if len(groups) > 1 else "")
        if not funnel:
            continue
        plot, rows = funnel
        table = _table(["step", "documents in", "documents out", "characters out"], rows)
        note = (
            f"{label}: documents entering and leaving every step that passes them on, in pipeline order; "
            "the table lists every step."
        )
        title = "Funnel" if len(groups) == 1 else f"Funnel: {label}"
        out.append(_section("funnel" if i == 0 else f"funnel-{i}", title, plot, table, note))
    return out or [_missing("funnel", "Funnel", "no step passed documents on")]


def _sec_drops(output: Path, manifest: dict, source: str | None) -> list[str]:
    from olm_data.funnel import drop_reasons

    rows = []
    for stage, steps in load_stats(output).items():
        for step in steps:
            for reason, value in drop_reasons(step.get("counts", {})).items():
                rows.append([reason, f"{stage}: {step['step']}", value])
    if not rows:
        return [_missing("drops", "Drop reasons", "no step dropped any document (or no stats.json)")]
    rows.sort(key=lambda r: -r[2])
    plot = _barh(
        [r[0] for r in rows], {"documents": [r[2] for r in rows]}, "documents dropped, by reason", "documents"
    )
    return [_section("drops", "Drop reasons", plot, _table(["reason", "step", "documents"], rows))]


def _sec_health(output: Path, manifest: dict, source: str | None) -> list[str]:
    from olm_data.funnel import DAMAGE_KEYS, damage_locations, input_health, lost_files

    rows = [[r["reason"], f"{r['stage']}: {r['step']}", r["count"]] for r in input_health(load_stats(output))]
    if not rows:
        why = "no damaged, unreadable or lost input: none of " + ", ".join(DAMAGE_KEYS[:6]) + ", ... was counted"
        return [_missing("health", "Input health", why)]
    note = (
        "Input that was damaged, unreadable or lost (all tasks). Which file and offset: the warnings in "
        "OUT/logs/<stage>/logs/task_*.log."
    )
    places = damage_locations(output)
    rows = [[*r, "; ".join(places.get(r[0], []))] for r in rows]
    table = _table(["reason", "step", "count", "first places (file @ offset)"], rows)
    if lost := lost_files(output):
        table += "<h3>Remote files lost (--allow-missing)</h3>" + _table(
            ["stage", "file", "reason"], [[m["stage"], m.get("file", ""), m.get("reason", "")] for m in lost]
        )
    return [_section("health", "Input health", None, table, note)]


def _sec_docs(output: Path, manifest: dict, source: str | None) -> list[str]:
    folder = corpus_folder(output, manifest, source)
    titles = [("languages", "Language mix"), ("lengths", "Document length"), ("domains", "Top domains")]
    if folder is None or not folder.is_dir():
        why = "no corpus folder found (pass --source FOLDER)"
        return [_missing(a, t, why) for a, t in titles]
    docs = read_docs(folder)
    n = len(docs["length"])
    scope = f"{n:,} documents of {folder.relative_to(output)}" + (
        f" (the first {MAX_DOCS:,})" if n >= MAX_DOCS else ""
    )
    out = []
    # languages: kept, plus rejected docs saved by --keep-rejected
    kept = Counter(x for x in docs["language"] if x)
    rejected: Counter = Counter()
    rej_root = output / "rejected"
    if rej_root.is_dir():
        for sub in sorted(p for p in rej_root.iterdir() if p.is_dir()):
            rejected.update(x for x in read_docs(sub)["language"] if x)
    if kept or rejected:
        langs = [lang for lang, _ in (kept + rejected).most_common(TOP_N)]
        series = {"kept": [kept[lang] for lang in langs]}
        if rejected:
            series["rejected"] = [rejected[lang] for lang in langs]
        plot = _barh(langs, series, "documents per language (fastText LID)", "documents")
        rows = [[lang, kept[lang], rejected[lang] if rejected else None] for lang in langs]
        note = scope + (
            "; rejected documents from OUT/rejected/"
            if rejected
            else "; run with --keep-rejected to see the dropped languages"
        )
        out.append(_section("languages", "Language mix", plot, _table(["language", "kept", "rejected"], rows), note))
    else:
        out.append(_missing("languages", "Language mix", "the documents carry no `language` metadata"))
    if n:
        wide = max(docs["length"]) > 20 * max(1, min(docs["length"]))
        xlabel = "characters (log scale)" if wide else "characters"
        plot, bins = _histogram(docs["length"], "document length", xlabel, log=wide)
        import numpy as np

        q = np.percentile(np.asarray(docs["length"], dtype=float), [0, 10, 50, 90, 100])
        rows = [["min", q[0]], ["p10", q[1]], ["median", q[2]], ["p90", q[3]], ["max", q[4]], ["documents", n]]
        out.append(_section("lengths", "Document length", plot, _table(["statistic", "characters"], rows), scope))
    else:
        out.append(_missing("lengths", "Document length", f"{folder} holds no documents"))
    hosts = Counter(_host(u) for u in docs["url"] if u)
    if hosts:
        top = hosts.most_common(TOP_N)
        plot = _barh([h for h, _ in top], {"documents": [c for _, c in top]}, f"top {len(top)} domains", "documents")
        rows = [[h, c, c / n] for h, c in top]
        out.append(_section("domains", "Top domains", plot, _table(["domain", "documents", "share"], rows), scope))
    else:
        out.append(_missing("domains", "Top domains", "the documents carry no `url` metadata"))
    return out


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "(none)"


def _sec_perplexity(output: Path, manifest: dict, source: str | None) -> list[str]:
    found = find_perplexity(output)
    if found:
        log = found["edges"][0] > 0 and found["edges"][-1] / max(found["edges"][0], 1e-9) > 50
        plot = _plot_hist(found["edges"], found["counts"], "perplexity", "perplexity", log, found["cuts"])
        rows = _coarse_bins(found["edges"], found["counts"])
        cut_rows = _table(
            ["cut point", "perplexity"], [[k, v] for k, v in sorted(found["cuts"].items(), key=lambda kv: kv[1])]
        )
        note = f"from {found['file']}"
        return [
            _section("perplexity", "Perplexity", plot, cut_rows + _table(["perplexity bin", "documents"], rows), note)
        ]
    folder = corpus_folder(output, manifest, source)
    values = read_docs(folder)["perplexity"] if folder and folder.is_dir() else []
    values = [v for v in values if isinstance(v, int | float)]
    if values:
        plot, bins = _histogram(values, "perplexity of the kept documents", "perplexity (log scale)", log=True)
        rows = [[f"{a:.4g}", int(c)] for a, c in bins]
        return [
            _section(
                "perplexity", "Perplexity", plot, _table(["bin start", "documents"], rows), "from document metadata"
            )
        ]
    return [
        _missing("perplexity", "Perplexity", "no perplexity histogram JSON under OUT and no `perplexity` metadata")
    ]


def _coarse_bins(edges: list[float], counts: list[float], max_rows: int = MAX_BIN_ROWS) -> list[list[Any]]:
    """The histogram as at most `max_rows` rows of adjacent bins merged (the plot shows the fine bins)."""
    step = max(1, math.ceil(len(counts) / max_rows))
    rows = []
    for i in range(0, len(counts), step):
        j = min(i + step, len(counts))
        rows.append([f"{edges[i]:.4g} - {edges[j]:.4g}", int(sum(counts[i:j]))])
    return rows


def _sec_clusters(output: Path, manifest: dict, source: str | None) -> list[str]:
    found = find_cluster_sizes(output)
    if found:
        sizes, note = found
        note = f"from {note}"
    else:
        folder = corpus_folder(output, manifest, source)
        dups = read_docs(folder)["minhash_duplicates"] if folder and folder.is_dir() else []
        sizes = Counter(int(d) + 1 for d in dups if isinstance(d, int) and d > 0)
        note = "from the kept documents' minhash_duplicates"
    if not sizes:
        return [_missing("clusters", "Duplicate clusters", "no MinHash cluster report or minhash_duplicates metadata")]
    import matplotlib.pyplot as plt

    keys = sorted(sizes)
    fig, ax = plt.subplots(figsize=(9, 3.4))
    ax.bar([str(k) for k in keys], [sizes[k] for k in keys], color="#2f6db5")
    if max(sizes.values()) > 100:
        ax.set_yscale("log")
    ax.set_xlabel("documents in the cluster")
    ax.set_ylabel("clusters")
    ax.set_title("near-duplicate cluster sizes")
    rows = [[k, sizes[k], k * sizes[k]] for k in keys]
    table = _table(["cluster size", "clusters", "documents"], rows)
    return [_section("clusters", "Duplicate clusters", _svg(fig), table, note)]


def write_report(output: str | os.PathLike, path: str | os.PathLike | None = None, source: str | None = None) -> Path:
    """Write the report (default OUT/report.html); returns its path."""
    output = Path(output)
    target = Path(path) if path else output / REPORT_NAME
    text = build_report(output, source)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def build_comparison(outputs: list[Path]) -> str:
    """Two (or more) runs side by side: their final corpora (documents, characters, how many URLs they share) and
    their funnels, e.g. pipelines/cc_2022_49.py and pipelines/olm_original_2022_49.py on the same input."""
    import matplotlib

    matplotlib.use("Agg")
    urls, rows, columns = [], [], []
    for output in outputs:
        manifest = load_manifest(output)
        folder = corpus_folder(output, manifest)
        docs = read_docs(folder, max_docs=sys.maxsize) if folder and folder.is_dir() else {"length": [], "url": []}
        urls.append({u for u in docs["url"] if u})
        command = " ".join(manifest.get("command", [])) or "(no manifest.json)"
        rows.append([output.name, folder.name if folder else "?", len(docs["length"]), sum(docs["length"]), command])
        funnels = "".join(_sec_funnel(output, manifest, None))
        columns.append(f"<div><h2>{html.escape(output.name)}</h2>{funnels}</div>")
    shared = [["", *(o.name for o in outputs)]]
    for i, a in enumerate(outputs):
        shared.append([a.name, *(len(urls[i] & urls[j]) for j in range(len(outputs)))])
    table = _table(["run", "final corpus", "documents", "characters", "command"], rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>olm-data: {" vs ".join(html.escape(o.name) for o in outputs)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1600px; margin: 2em auto; padding: 0 1em; color: #222; }}
.cols {{ display: grid; grid-template-columns: repeat({len(outputs)}, 1fr); gap: 2em; }}
img {{ max-width: 100%; display: block; }} table {{ border-collapse: collapse; font-size: .85em; margin: .5em 0; }}
td, th {{ border: 1px solid #ddd; padding: .2em .6em; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }} .note {{ color: #666; }}
</style></head><body>
<h1>olm-data runs side by side</h1>
{table}
<h2>Documents in both final corpora (by URL)</h2>
{_table(shared[0], shared[1:])}
<div class="cols">{"".join(columns)}</div>
</body></html>
"""


def add_cli(subparsers: Any) -> None:
    """`olm-data report OUT [OUT2 ...]`."""
    p = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of a run (funnel, drops, languages, lengths, domains, ...)",
        description="Write OUT/report.html: plots with the numbers behind them, viewable offline. `olm-data run` "
        "writes it at the end of every run; use this to rebuild it (e.g. after adding dedup or perplexity data).",
    )
    p.add_argument("output", help="an output folder of `olm-data run`")
    p.add_argument(
        "others", nargs="*", metavar="OUT2", help="more output folders: one page comparing the runs side by side"
    )
    p.add_argument("--to", help="where to write the page (default: OUT/report.html, or OUT/compare.html)")
    p.add_argument("--source", help="the corpus folder under OUT to describe (default: the run's final output)")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from olm_data.errors import UsageError

    for folder in [args.output, *args.others]:
        if not Path(folder).is_dir():
            raise UsageError(f"output folder not found: {folder}")
    if args.others:
        target = Path(args.to) if args.to else Path(args.output) / "compare.html"
        target.write_text(build_comparison([Path(o) for o in [args.output, *args.others]]), encoding="utf-8")
        print(f"comparison: {target}")
        return 0
    if args.source and not (Path(args.output) / args.source).is_dir():
        raise UsageError(f"--source: no folder {args.source} in {args.output}")
    target = write_report(args.output, args.to, args.source)
    print(f"report: {target}")
    return 0
