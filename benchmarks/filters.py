"""Docs/s per core: our language ID + OLM quality filters vs datatrove's FineWeb-style filter chain.

Run by hand (not a test), pinned to one core:

    taskset -c 0 .venv/bin/python benchmarks/filters.py [--shared ../shared/data] [--repeats 5]

Real text, extracted once with trafilatura and cached (`--cache`):
- the HTML pages of `../shared/data/warc/iana.warc.gz`;
- Debian's `debian-reference-{en,de,fr,es,zh-cn}` HTML (fetched with `apt-get download` + `dpkg-deb -x` into a
  temp dir, or `--debian-dir` with the unpacked packages);
- the Wikipedia sample `../shared/data/wikipedia/*.xml.bz2` (articles, wikitext stripped by mwparserfromhell).
Pages are split on paragraph boundaries into documents of 2-5 KB, a typical web-page text size.

Times are CPU seconds of this process (`time.process_time`), so other load on the core does not count.
Chains, run in the same process on fresh copies of the same documents, variants interleaved, median of
`--repeats`:
- ours: `FastTextLanguageFilter(["en"], 0.80)` -> `OlmQualityFilter()`;
- datatrove: `LanguageFilter(["en"])` with the same local lid.176.ftz (datatrove would download lid.176.bin)
  -> `GopherRepetitionFilter` -> `GopherQualityFilter` -> `C4QualityFilter(filter_no_terminal_punct=False)` ->
  `FineWebQualityFilter`, as in datatrove's FineWeb example.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import datatrove_fineweb_filters, debian_html_files, iana_pages, split_into_docs, wikipedia_texts
from datatrove.data import Document


def build_corpus(shared: Path, debian_dir: Path | None) -> dict[str, list[str]]:
    import trafilatura

    def extract(html: bytes | str) -> str:
        return trafilatura.extract(html, favor_precision=True) or ""

    iana = [d for _, page in iana_pages(shared / "warc" / "iana.warc.gz") for d in split_into_docs(extract(page))]
    debian = {}
    for name, page in debian_html_files(debian_dir):
        lang = name.split(".")[-2]
        debian.setdefault(lang, []).extend(split_into_docs(extract(page)))
    wiki = [d for t in wikipedia_texts(next((shared / "wikipedia").glob("*.xml.bz2"))) for d in split_into_docs(t)]
    return {"iana": iana, **{f"debian-{k}": v for k, v in sorted(debian.items())}, "wikipedia": wiki}


def our_chain():
    from olm_data.filters import FastTextLanguageFilter, OlmQualityFilter

    return [FastTextLanguageFilter(languages=["en"], threshold=0.80), OlmQualityFilter()]


def run_chain(steps, docs: list[Document]) -> tuple[float, int]:
    data = iter(docs)
    for step in steps:
        data = step.run(data)
    start = time.process_time()  # CPU time of this process: robust to other processes sharing the core
    kept = sum(1 for _ in data)
    return time.process_time() - start, kept


def main() -> int:
    here = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=here.parent / "shared" / "data")
    p.add_argument("--debian-dir", type=Path, default=None, help="unpacked debian-reference-* packages")
    p.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "olm-data-bench-filters.json.gz")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()

    if args.cache.exists():
        corpus = json.loads(gzip.decompress(args.cache.read_bytes()))
    else:
        if not args.shared.exists():
            print(f"no shared data at {args.shared}", file=sys.stderr)
            return 2
        t = time.perf_counter()
        corpus = build_corpus(args.shared, args.debian_dir)
        args.cache.write_bytes(gzip.compress(json.dumps(corpus).encode()))
        print(f"corpus built in {time.perf_counter() - t:.0f} s, cached at {args.cache}")

    web = [t for k, v in corpus.items() if k != "wikipedia" for t in v]
    english_web = corpus["iana"] + corpus.get("debian-en", [])
    inputs = {"web, 5 languages": web, "web, English only": english_web, "Wikipedia": corpus["wikipedia"]}
    for name, texts in inputs.items():
        print(f"{name}: {len(texts)} docs, {sum(map(len, texts)) / max(len(texts), 1):.0f} chars mean")

    chains = {"ours": our_chain(), "datatrove": datatrove_fineweb_filters()}
    singles = {"ours: LID alone": our_chain()[:1], "ours: quality alone": our_chain()[1:]}
    print(f"\n{'input':<20} {'chain':<20} {'docs/s':>9} {'kept':>6}")
    for name, texts in inputs.items():
        docs = [Document(text=t, id=str(i), metadata={}) for i, t in enumerate(texts)]
        timings: dict[str, list[float]] = {k: [] for k in [*chains, *singles]}
        kept: dict[str, int] = {}
        for rep in range(args.repeats + 1):  # first round warms up (spaCy, models)
            for label, steps in [*chains.items(), *singles.items()]:
                elapsed, n_kept = run_chain(steps, copy.deepcopy(docs))
                if rep:
                    timings[label].append(elapsed)
                kept[label] = n_kept
        rates = {k: len(docs) / statistics.median(v) for k, v in timings.items()}
        for label, rate in rates.items():
            print(f"{name:<20} {label:<20} {rate:>9.1f} {kept[label]:>6}")
        print(f"{name:<20} {'ratio ours/datatrove':<20} {rates['ours'] / rates['datatrove']:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
