"""Ingest throughput: WARC -> text (reader + trafilatura) and Wikipedia dump -> clean articles, docs/s per core.

Run pinned to one core for per-core numbers:
    taskset -c 0 .venv/bin/python benchmarks/ingest.py [--warc PATH ...] [--wiki PATH ...] [--repeat 3]

Defaults: the bundled sample, plus ../shared/data's real iana.org WARC and enwiki sample when present.
CPU seconds include the extraction sandbox subprocess (RUSAGE_CHILDREN), so "docs per CPU-second" stays honest
on a busy machine; wall-clock docs/s is printed beside it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from common import cpu_seconds

from olm_data import samples
from olm_data.extract import TrafilaturaExtractor
from olm_data.readers.warc import CommonCrawlWarcReader
from olm_data.readers.wikipedia import WikipediaDumpReader

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def measure(make_docs: Callable[[], Iterable], repeat: int) -> tuple[int, float, float]:
    """(docs, best wall seconds, best CPU seconds) over `repeat` runs."""
    best_wall = best_cpu = float("inf")
    n = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), cpu_seconds()
        n = sum(1 for _ in make_docs())
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, cpu_seconds() - cpu)
    return n, best_wall, best_cpu


def warc_to_text(paths: list[str]) -> Callable[[], Iterable]:
    def run() -> Iterable:
        reader = CommonCrawlWarcReader(paths)
        extractor = TrafilaturaExtractor(favour_precision=True, deduplicate=False)
        return extractor.run(reader.run())

    return run


def warc_only(paths: list[str]) -> Callable[[], Iterable]:
    return lambda: CommonCrawlWarcReader(paths).run()


def wikipedia(path: str) -> Callable[[], Iterable]:
    return lambda: WikipediaDumpReader(path).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warc", nargs="*", help="WARC files (default: the sample, and the iana WARC if present)")
    parser.add_argument("--wiki", nargs="*", help="Wikipedia dumps (default: the sample, and the enwiki sample)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    warcs = {"bundled sample (3 WARCs)": [str(p) for p in samples.warc_files()]}
    if (SHARED / "warc" / "iana.warc.gz").exists():
        warcs["iana.org crawl (real)"] = [str(SHARED / "warc" / "iana.warc.gz")]
    if args.warc:
        warcs = {p: [p] for p in args.warc}
    wikis = {"bundled sample dump": str(samples.wikipedia_dump())}
    if (SHARED / "wikipedia" / "enwiki-sample-206-pages.xml.bz2").exists():
        wikis["enwiki 206 pages (real)"] = str(SHARED / "wikipedia" / "enwiki-sample-206-pages.xml.bz2")
    if args.wiki:
        wikis = {p: p for p in args.wiki}

    rows = []
    for name, paths in warcs.items():
        rows.append((name, "WARC reader only", *measure(warc_only(paths), args.repeat)))
        rows.append((name, "WARC -> text (trafilatura)", *measure(warc_to_text(paths), args.repeat)))
    for name, path in wikis.items():
        rows.append((name, "dump -> clean articles", *measure(wikipedia(path), args.repeat)))

    print(f"{'input':<28} {'what':<28} {'docs':>6} {'wall s':>8} {'docs/s':>8} {'CPU s':>8} {'docs/CPU-s':>11}")
    for name, what, n, wall, cpu in rows:
        print(f"{name:<28} {what:<28} {n:>6} {wall:>8.2f} {n / wall:>8.1f} {cpu:>8.2f} {n / cpu:>11.1f}")


if __name__ == "__main__":
    main()
