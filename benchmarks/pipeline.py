"""End to end, WARC -> final corpus: pages per CPU-second, per-step breakdown, against datatrove's FineWeb chain.

Run by hand (not a test), pinned to one core; datatrove's log lines go to stderr (~15 minutes):

    taskset -c 0 .venv/bin/python benchmarks/pipeline.py [--pages 3000] [--whole-pages 600] [--debian-dir DIR]
        [--html-dir DIR] [--lm LM] 2>/dev/null

Inputs:
- `../shared/data/warc/iana.warc.gz`, a real crawl (16 HTML pages among JS, CSS, images: per-run startup costs
  weigh heavily on so few pages);
- synthetic WARCs built from real HTML, each page repeated with distinct URLs, every copy after the first losing a
  random 10% of its paragraphs (seeded), so exact and near-duplicate dedup have work to do; written with warcio,
  gzip per record, like Common Crawl:
  - `--pages` from the Debian Reference in 5 languages (`apt-get download debian-reference-{en,de,fr,es,zh-cn}` +
    `dpkg-deb -x`, or `--debian-dir`) cut into one page per section (keeping the page's head and navigation
    bars), plus the iana pages: 472 distinct pages of 27 K characters;
  - `--whole-pages` from the same 75 Debian pages whole plus the 16 iana pages: the 91 pages of
    ../shared/reference/cpu-anchors.md (139 K characters each, text-heavy: trafilatura is slowest per page here);
  - with `--html-dir DIR`, `--html-dir-pages` from saved web pages, e.g. the 181 news and blog pages (173 K
    characters each, mostly scripts and markup) of github.com/scrapinghub/article-extraction-benchmark, `html/`.
  Which pages go in moves the ratio: it is bounded by the extraction step's own ratio, which differs per page set.

Runs, each on a fresh output folder, in this process (datatrove's LocalPipelineExecutor, 1 task, 1 worker):
- olm trafilatura: `pipelines/cc_2022_49.py` as `olm-data run` builds it (URL filters -> trafilatura -> LID ->
  OLM quality -> parquet, then exact and MinHash dedup; its perplexity-sampling stages only with `--lm`, as
  they need a reference LM from `pipelines/wikipedia_20221220.py`): the default;
- olm resiliparse: the same with the extraction step swapped for `make_extractor("resiliparse")`;
- olm WET: the same pipeline on the WET file of the same pages (what OLM read: Common Crawl's own text, one
  `conversion` record per page, made here off the clock with resiliparse keeping all visible text, as CC's WET
  extraction does); the extraction step passes WET text through, so this is the pipeline without extraction;
- datatrove FineWeb: datatrove `WarcReader` -> `Trafilatura` (same options as ours: favour_precision, no
  cross-document dedup, 5 s timeout) -> `LanguageFilter(["en"])` with the same local lid.176.ftz (datatrove
  would download lid.176.bin) -> `GopherRepetitionFilter` -> `GopherQualityFilter` ->
  `C4QualityFilter(filter_no_terminal_punct=False)` -> `FineWebQualityFilter` -> parquet (no dedup).
Pages/s are HTML pages in the WARC per CPU-second of this process and its extraction subprocesses (so load from
other processes does not count). Per-step breakdown: CPU seconds of each step itself (every step's generator is
timed with `time.process_time`, a step's own time being its inclusive time minus its upstream's; the extraction
subprocess's CPU is added to the extractor; "other" is executor, logging and stage setup), next to datatrove's
own timing stats (wall seconds, which on a loaded machine also count waiting).

Filter chains alone: the documents the olm trafilatura run extracted (captured after the extractor) go through
our chain (FastTextLanguageFilter(en, 0.80) -> OlmQualityFilter) and datatrove's five filters above, on fresh
copies, interleaved, CPU seconds, median of `--repeats`. Then the word passes each chain makes per document
(BigScience words, dedup word hashes, spaCy), CPU microseconds per document on a few hundred of those documents.
"""

from __future__ import annotations

import argparse
import copy
import io
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import cpu_self_and_children, datatrove_fineweb_filters, debian_html_files, html_dir_pages, iana_pages
from datatrove.data import Document
from datatrove.pipeline.base import PipelineStep

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
DATE = "2022-12-01T10:00:00Z"

# documents seen right after the extractor of the run that has a Tap (module level: the executor deep-copies
# the steps, and runs them in this process with one worker)
CAPTURED: list[Document] = []


class Tap(PipelineStep):
    """Passes documents through and keeps a copy of each (for the filter-chain comparison)."""

    name = "tap"

    def run(self, data, rank: int = 0, world_size: int = 1):
        for doc in data:
            CAPTURED.append(Document(text=doc.text, id=doc.id, metadata=dict(doc.metadata)))
            yield doc


# ---------------------------------------------------------------- per-step CPU

# chains of the current run: one per task of each stage (a step called with data=None starts one), as
# (stage, entries); an entry is [step name, inclusive CPU seconds, is an extractor], inclusive = its own work
# plus its upstream's
CHAINS: list[tuple[str, list[list]]] = []
STAGE = [""]  # the stage whose task is running: set from the executor's logging folder (logs/<stage>)


def _timed_call(self, data=None, rank: int = 0, world_size: int = 1):
    """PipelineStep.__call__ that accumulates the inclusive CPU time of the step's generator."""
    from datatrove.pipeline.extractors.base import BaseExtractor

    if data is None or not CHAINS:
        CHAINS.append((STAGE[0], []))
    entry = [self.name, 0.0, isinstance(self, BaseExtractor)]
    CHAINS[-1][1].append(entry)
    start = time.process_time()
    out = self.run(data, rank, world_size)
    entry[1] += time.process_time() - start
    if out is None or not hasattr(out, "__next__"):
        return out

    def timed():
        while True:
            start = time.process_time()
            try:
                item = next(out)
            except StopIteration:
                entry[1] += time.process_time() - start
                return
            entry[1] += time.process_time() - start
            yield item

    return timed()


def _run_for_rank_in_stage(original):
    def run_for_rank(self, rank: int, *args, **kwargs):
        STAGE[0] = Path(self.logging_dir.path).name
        return original(self, rank, *args, **kwargs)

    return run_for_rank


def own_cpu(chains: list[tuple[str, list[list]]], child_cpu: float) -> dict[str, list[tuple[str, float]]]:
    """Per stage, (step, own CPU seconds) summed over its tasks: inclusive time minus the upstream step's;
    `child_cpu` (the extraction subprocesses') goes to the extractor."""
    per_stage: dict[str, list[tuple[str, float]]] = {}
    for stage, chain in chains:
        own = [
            (name, incl - (chain[i - 1][1] if i else 0.0) + (child_cpu if extractor else 0.0))
            for i, (name, incl, extractor) in enumerate(chain)
        ]
        if stage in per_stage:
            own = [(name, a + b) for (name, a), (_, b) in zip(per_stage[stage], own, strict=True)]
        per_stage[stage] = own
    return per_stage


def extractor_cpu(chains: list[tuple[str, list[list]]], child_cpu: float) -> float:
    """Own CPU seconds of the extraction step(s), the subprocess's included: what bounds the end-to-end ratio."""
    own = 0.0
    for _, chain in chains:
        for i, (_, incl, extractor) in enumerate(chain):
            if extractor:
                own += incl - (chain[i - 1][1] if i else 0.0)
    return own + child_cpu


# ---------------------------------------------------------------- inputs


def debian_sections(files: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """(name, html) per section of each Debian Reference chapter, keeping the page's head and navigation bars
    (whole page when it has no sections): web-page-sized documents (27 K characters of HTML on average)."""
    import lxml.html

    pages = []
    for name, raw in files:
        root = lxml.html.fromstring(raw)
        head = lxml.html.tostring(root.find("head"), encoding="unicode")
        bars = {c: root.find_class(c) for c in ("navheader", "navfooter")}
        top = "".join(lxml.html.tostring(e, encoding="unicode") for e in bars["navheader"])
        bottom = "".join(lxml.html.tostring(e, encoding="unicode") for e in bars["navfooter"])
        sections = root.xpath('//div[@class="chapter" or @class="appendix"]/div[@class="section"]')
        if not sections:
            pages.append((f"debian/{name}", raw.decode("utf-8", "replace")))
            continue
        for i, section in enumerate(sections):
            body = lxml.html.tostring(section, encoding="unicode")
            html = f'<html>{head}<body>{top}<div class="chapter">{body}</div>{bottom}</body></html>'
            pages.append((f"debian/{name}/{i}", html))
    return pages


def write_synthetic_warc(path: Path, pages: list[tuple[str, str]], n: int, seed: int = 42) -> None:
    """`n` HTML response records cycling through `pages`; copies after the first lose ~10% of paragraphs."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    para = re.compile(r"<p\b[^>]*>.*?</p>", re.S)
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i in range(n):
            name, html = pages[i % len(pages)]
            copy_no = i // len(pages)
            if copy_no:
                html = para.sub(lambda m: "" if rng.random() < 0.1 else m.group(0), html)
            url = f"https://www.site{i % 97}.example/{name}?copy={copy_no}"
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            warc_headers = {
                "WARC-Date": DATE,
                "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>",
                "WARC-Identified-Payload-Type": "text/html",  # as Common Crawl writes it; datatrove's reader needs it
            }
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=http,
                warc_headers_dict=warc_headers,
            )  # fmt: skip
            writer.write_record(record)


# ---------------------------------------------------------------- runs


def olm_stages(warc: Path, out: Path, extractor: str, tap: bool = False, lm: str | None = None) -> list:
    """cc_2022_49's stages for `warc`, as `olm-data run --input WARC --output OUT [--lm LM]` builds them; without
    `lm` the perplexity-sampling stages (which need a reference LM) are left out: the corpus is the deduped one."""
    from olm_data.extract import LoudExtractor, make_extractor
    from olm_data.runtime import RunContext, load_pipeline

    path = ROOT / "pipelines" / "cc_2022_49.py"
    pipeline = load_pipeline(path)
    parser = argparse.ArgumentParser()
    if hasattr(pipeline, "add_arguments"):
        pipeline.add_arguments(parser)
    options = vars(parser.parse_args([])) | {"sample_ratio": 1.0, "extractor": extractor}
    options |= {"lm": lm or str(out / "no-lm")}
    # without an LM, "no-lm" counts as built earlier in the run (so it is not checked); its stages are left out below
    included = [] if lm else [out / "no-lm"]
    run = RunContext(pipeline=path, output=out, input=[str(warc)], options=options, included=included)
    stages = [s for s in pipeline.stages(run) if lm or not s.name.startswith("perplexity")]
    steps = stages[0].steps
    i = next(i for i, s in enumerate(steps) if isinstance(s, LoudExtractor))
    if type(steps[i]) is not type(make_extractor(extractor)):  # until the pipeline reads --extractor itself
        steps[i] = make_extractor(extractor)
    if tap:
        steps.insert(i + 1, Tap())
    return stages


def write_wet(warc: Path, wet: Path) -> int:
    """The WET file Common Crawl would make of `warc`: one `conversion` record of all visible text per HTML page
    (resiliparse without main-content detection, the closest to CC's own extraction); returns the record count."""
    import io

    from resiliparse.extract.html2text import extract_plain_text
    from warcio.warcwriter import WARCWriter

    from olm_data.readers.warc import CommonCrawlWarcReader

    n = 0
    with open(wet, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for doc in CommonCrawlWarcReader(str(warc)).run():
            text = extract_plain_text(doc.text, main_content=False)
            record = writer.create_warc_record(
                doc.metadata["url"],
                "conversion",
                payload=io.BytesIO(text.encode("utf-8")),
                warc_content_type="text/plain",
                warc_headers_dict={"WARC-Date": doc.metadata["date"], "WARC-Refers-To": doc.id},
            )
            writer.write_record(record)
            n += 1
    return n


def datatrove_stages(warc: Path, out: Path) -> list:
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.stage import Stage

    steps = [
        WarcReader(str(warc.parent), glob_pattern=warc.name),
        Trafilatura(favour_precision=True, deduplicate=False, timeout=5),
        *datatrove_fineweb_filters(),
        ParquetWriter(str(out / "filtered")),
    ]
    return [Stage("fineweb", steps=steps)]


def run_once(stages: list, out: Path) -> dict:
    """One run: cpu (this process), child_cpu (extraction subprocesses), wall, stats (datatrove's, per stage),
    own (per stage: (step, own CPU seconds), the subprocess CPU added to the extractor)."""
    import contextlib

    from olm_data.runtime import RunContext, run_stages

    run = RunContext(pipeline=Path("bench"), output=out, tasks=1, workers=1)
    CHAINS.clear()
    (cpu0, child0), wall = cpu_self_and_children(), time.perf_counter()
    from datatrove.executor.base import PipelineExecutor

    call, run_for_rank = PipelineStep.__call__, PipelineExecutor._run_for_rank
    PipelineStep.__call__ = _timed_call
    PipelineExecutor._run_for_rank = _run_for_rank_in_stage(run_for_rank)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            stats = run_stages(stages, run)
    finally:
        PipelineStep.__call__, PipelineExecutor._run_for_rank = call, run_for_rank
    (cpu1, child1), wall = cpu_self_and_children(), time.perf_counter() - wall
    own, extract = own_cpu(CHAINS, child1 - child0), extractor_cpu(CHAINS, child1 - child0)
    return {"cpu": cpu1 - cpu0, "child_cpu": child1 - child0, "wall": wall, "stats": stats, "own": own,
            "extract_cpu": extract}  # fmt: skip


def tokenization_costs(texts: list[str], repeats: int) -> list[tuple[str, float]]:
    """(what, CPU microseconds per document), best of `repeats`: the word passes each chain makes per document."""
    from datatrove.utils.text import split_into_words

    from olm_data.dedup import text as textmod
    from olm_data.filters import OlmQualityFilter
    from olm_data.filters.words import split_words

    def batches() -> None:  # as exact dedup and MinHash call it: ~32 K characters per numpy pass
        i = 0
        while i < len(texts):
            j, size = i, 0
            while j < len(texts) and (j == i or size + len(texts[j]) <= 1 << 15):
                size += len(texts[j])
                j += 1
            textmod.batch_word_hashes(texts[i:j])
            i = j

    quality = OlmQualityFilter()
    docs = [Document(text=t, id=str(i), metadata={}) for i, t in enumerate(texts)]
    passes = {
        "BigScience words (split_words), one pass": lambda: [split_words.__wrapped__(t) for t in texts],
        "OLM quality filter, all its stats": lambda: [quality.filter(d) for d in docs],
        "dedup word hashes (exact, MinHash), batched": batches,
        "dedup word hashes, one document per call": lambda: [textmod.batch_word_hashes([t]) for t in texts],
        "spaCy words (datatrove split_into_words)": lambda: [split_into_words(t, "en") for t in texts],
    }
    best = {}
    for name, fn in passes.items():
        times = []
        for _ in range(repeats):
            split_words.cache_clear()
            start = time.process_time()
            fn()
            times.append(time.process_time() - start)
        best[name] = min(times) * 1e6 / len(texts)
    return list(best.items())


def chain_cpu(steps: list, docs: list[Document]) -> tuple[float, int]:
    data = iter(docs)
    for step in steps:
        data = step.run(data)
    start = time.process_time()
    kept = sum(1 for _ in data)
    return time.process_time() - start, kept


# ---------------------------------------------------------------- report


def print_breakdown(label: str, result: dict) -> None:
    total = result["cpu"] + result["child_cpu"]
    print(f"\n  {label}: CPU {total:.1f} s ({result['child_cpu']:.1f} s of it in the extraction subprocess), "
          f"wall {result['wall']:.1f} s")  # fmt: skip
    print(f"  {'stage':<16} {'step':<30} {'in':>6} {'out':>6} {'CPU s':>8} {'share':>6} {'ms/page':>8} {'wall s':>7}")
    pages = result["pages"]
    accounted = 0.0
    for stage, steps in result["stats"].items():
        for step, (_, seconds) in zip(steps, result["own"][stage], strict=True):
            accounted += seconds
            counts = step["counts"]
            docs_in = counts.get("total", "")
            docs_out = counts.get("forwarded", step["docs"] if step["docs"] is not None else "")
            print(
                f"  {stage[:16]:<16} {step['step'][:30]:<30} {docs_in!s:>6} {docs_out!s:>6} {seconds:>8.2f} "
                f"{seconds / total:>6.1%} {seconds * 1000 / pages:>8.2f} {step['seconds']:>7.2f}"
            )
    other = total - accounted
    print(f"  {'':<16} {'other (executor, logs, setup)':<30} {'':>6} {'':>6} {other:>8.2f} {other / total:>6.1%} "
          f"{other * 1000 / pages:>8.2f}")  # fmt: skip


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=SHARED)
    p.add_argument("--debian-dir", type=Path, default=None, help="unpacked debian-reference-* packages")
    p.add_argument("--pages", type=int, default=3000, help="pages in the synthetic WARC of Debian sections")
    p.add_argument("--whole-pages", type=int, default=600, help="pages in the synthetic WARC of whole pages (0: none)")
    p.add_argument("--html-dir", type=Path, default=None, help="saved web pages (*.html, *.html.gz) for a third WARC")
    p.add_argument("--html-dir-pages", type=int, default=1000, help="pages in the --html-dir WARC")
    p.add_argument("--repeats", type=int, default=3, help="repeats of the filter-chain comparison")
    p.add_argument("--work", type=Path, default=None, help="folder for the WARC and outputs (default: a temp dir)")
    p.add_argument("--breakdown", action="store_true", help="print every run's per-step table")
    p.add_argument("--lm", default=None, help="reference LM: also run the perplexity-sampling stages")
    args = p.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # tables appear as they are computed

    warc_real = args.shared / "warc" / "iana.warc.gz"
    if not warc_real.exists():
        print(f"no iana WARC at {warc_real} (--shared)", file=sys.stderr)
        return 2
    if args.html_dir is not None and not html_dir_pages(args.html_dir):
        print(f"no *.html or *.html.gz pages under {args.html_dir} (--html-dir)", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="olm-bench-pipeline-"))
    work.mkdir(parents=True, exist_ok=True)
    real_pages = [(f"iana/{url.split('//', 1)[-1]}", html) for url, html in iana_pages(warc_real)]
    debian = debian_html_files(args.debian_dir)
    page_sets = {  # name: (distinct pages, pages in the WARC)
        "Debian sections + iana": (debian_sections(debian) + real_pages, args.pages),
        "whole Debian + iana": ([(f"debian/{n}", raw.decode("utf-8", "replace")) for n, raw in debian] + real_pages,
                                args.whole_pages),
    }  # fmt: skip
    if args.html_dir is not None:
        page_sets[args.html_dir.name] = (html_dir_pages(args.html_dir), args.html_dir_pages)
    inputs = {"iana.warc.gz (real)": (warc_real, len(real_pages))}
    for i, (set_name, (pages, n)) in enumerate(page_sets.items()):
        if n <= 0:
            continue
        warc = work / f"synthetic-{i}-{n}.warc.gz"
        write_synthetic_warc(warc, pages, n)
        mean_kb = sum(len(h) for _, h in pages) / len(pages) / 1000
        print(f"synthetic WARC {set_name}: {n} pages from {len(pages)} distinct ones ({mean_kb:.0f} K chars of HTML "
              f"on average), {warc.stat().st_size / 1e6:.1f} MB gzipped")  # fmt: skip
        inputs[f"{set_name} ({n})"] = (warc, n)
    tapped = list(inputs)[1]  # the filter-chain comparison uses the documents extracted from the first synthetic WARC

    # the same pages as WET (Common Crawl's own text extraction, what OLM read): made off the clock, read as input
    wets = {}
    for warc, _ in inputs.values():
        wets[warc] = work / (warc.name.removesuffix(".warc.gz") + ".warc.wet.gz")
        write_wet(warc, wets[warc])
    runs = {
        "olm trafilatura": lambda w, o, tap=False: olm_stages(w, o, "trafilatura", tap, args.lm),
        "olm resiliparse": lambda w, o, tap=False: olm_stages(w, o, "resiliparse", lm=args.lm),
        "olm WET": lambda w, o, tap=False: olm_stages(wets[w], o, "trafilatura", lm=args.lm),
        "datatrove FineWeb": lambda w, o, tap=False: datatrove_stages(w, o),
    }
    # warm-up: imports, model loads, spaCy, first subprocess fork
    for build in runs.values():
        out = work / "warmup"
        run_once(build(warc_real, out), out)
        shutil.rmtree(out)

    results: dict[tuple[str, str], dict] = {}
    for input_name, (warc, n) in inputs.items():
        for name, build in runs.items():
            out = work / "out"
            tap = name == "olm trafilatura" and input_name == tapped
            results[(input_name, name)] = run_once(build(warc, out, tap), out) | {"pages": n}
            shutil.rmtree(out)

    print("\nEnd to end, WARC -> corpus, one core (CPU seconds incl. the extraction subprocess); the extraction step")
    print("alone is the bound: end to end cannot beat its ratio, the other steps only pull towards 1")
    print(f"{'input':<30} {'run':<18} {'pages':>6} {'kept':>5} {'CPU s':>7} {'pages/CPU-s':>11} {'x olm traf':>10} "
          f"{'extract ms/page':>15} {'x olm traf':>10}")  # fmt: skip
    for input_name, (_, n) in inputs.items():
        base = base_extract = None
        for name in runs:
            result = results[(input_name, name)]
            cpu = result["cpu"] + result["child_cpu"]
            last = list(result["stats"].values())[-1]
            kept = next((s["docs"] for s in reversed(last) if s["docs"] is not None), "?")
            rate, extract_ms = n / cpu, result["extract_cpu"] * 1000 / n
            base, base_extract = base or rate, base_extract or extract_ms
            print(f"{input_name[:30]:<30} {name:<18} {n:>6} {kept!s:>5} {cpu:>7.1f} {rate:>11.1f} {rate / base:>10.1f} "
                  f"{extract_ms:>15.2f} {base_extract / extract_ms:>10.1f}")  # fmt: skip
    for input_name in inputs:
        for name in runs:
            if args.breakdown or not input_name.startswith("iana"):
                print_breakdown(f"{name} on {input_name}", results[(input_name, name)])

    # filter chains on the same extracted documents
    from olm_data.filters import FastTextLanguageFilter, OlmQualityFilter

    docs = list(CAPTURED)
    chains = {
        "olm: LID + OLM quality": lambda: [FastTextLanguageFilter(["en"], 0.80), OlmQualityFilter()],
        "datatrove: LID + Gopher x2 + C4 + FineWeb": datatrove_fineweb_filters,
    }
    built = {k: make() for k, make in chains.items()}
    times: dict[str, list[float]] = {k: [] for k in chains}
    kept_by: dict[str, int] = {}
    for rep in range(args.repeats + 1):  # the first round warms up (models, spaCy)
        for label, steps in built.items():
            elapsed, kept_by[label] = chain_cpu(steps, copy.deepcopy(docs))
            if rep:
                times[label].append(elapsed)
    chars = sum(len(d.text) for d in docs) / max(len(docs), 1)
    print(f"\nFilter chains on the same {len(docs)} extracted documents ({chars:.0f} chars on average), one core, "
          f"CPU seconds, median of {args.repeats}")  # fmt: skip
    rates = {k: len(docs) / statistics.median(v) for k, v in times.items()}
    for label, rate in rates.items():
        print(f"  {label:<44} {rate:>9.1f} docs/s  kept {kept_by[label]}")
    ours, theirs = rates.values()
    print(f"  {'ratio olm / datatrove':<44} {ours / theirs:>9.2f}")

    sample = [d.text for d in docs[:: max(1, len(docs) // 300)]]  # spaCy is slow: a few hundred docs suffice
    print(f"\nWord passes over {len(sample)} of those documents, CPU microseconds per document (best of "
          f"{args.repeats}); datatrove's chain makes 3 spaCy word passes (Gopher x2, FineWeb) plus C4's sentence "
          "splits, the OLM chain one BigScience pass shared by all its statistics")  # fmt: skip
    for what, us in tokenization_costs(sample, args.repeats):
        print(f"  {what:<46} {us:>9.0f}")
    if args.work is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
