"""trafilatura vs resiliparse on real pages: docs/s per core, and how much of trafilatura's text each keeps.

Run by hand (not a test), pinned to one core (~4 minutes):

    taskset -c 0 .venv/bin/python benchmarks/extract.py [--shared ../shared/data] [--debian-dir DIR] [--repeats 3]

Pages: the HTML responses of `../shared/data/warc/iana.warc.gz` (read with `CommonCrawlWarcReader`, as a run
reads them) and Debian's `debian-reference-{en,de,fr,es,zh-cn}` HTML (fetched with `apt-get download` +
`dpkg-deb -x` into a temp dir, or `--debian-dir` with the unpacked packages).

Speed: CPU seconds (`time.process_time`, so other load on the core does not count), median of `--repeats`,
variants interleaved. "call" is the library function alone in this process; "step" is the datatrove step as a
pipeline runs it (extraction subprocess with a per-document timeout), CPU of both processes.

Text: every output is cut into word tokens (lowercased `\\w+` runs; each CJK character a token of its own, so
Chinese pages compare too). Against trafilatura's output, as multisets: `kept` = share of trafilatura's tokens
the variant also has, `added` = tokens the variant has beyond trafilatura's, as a share of trafilatura's. Then
the lines a variant adds most often (in no trafilatura output of that page): the navigation and tables of
contents a user would get on top.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from common import cpu_seconds, debian_html_files, iana_pages
from datatrove.data import Document

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"\w+")


def iana_group(warc: Path) -> list[tuple[str, str, str]]:
    """(group, url, html) of the WARC's HTML responses."""
    return [("iana", url, html) for url, html in iana_pages(warc)]


def debian_group(debian_dir: Path | None) -> list[tuple[str, str, str]]:
    """(group, file name, html) of the Debian Reference pages, grouped by language (`ch02.en.html`)."""
    return [
        (f"debian-{name.split('.')[-2]}", name, raw.decode("utf-8", "replace"))
        for name, raw in debian_html_files(debian_dir)
    ]


def tokens(text: str) -> list[str]:
    """Lowercased word tokens; CJK characters one token each."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w.isascii() or not _CJK.search(w):
            out.append(w)
        else:
            out.extend(p for p in re.split(f"({_CJK.pattern})", w) if p)
    return out


def variants() -> dict[str, tuple[Callable[[str], str | None], Callable[[], object] | None]]:
    """name -> (in-process extract function, step factory or None)."""
    from resiliparse.extract.html2text import extract_plain_text

    from olm_data.extract import ResiliparseExtractor, TrafilaturaExtractor

    traf, res = TrafilaturaExtractor(), ResiliparseExtractor()
    return {
        "trafilatura (olm)": (traf.extract, TrafilaturaExtractor),
        "resiliparse plain": (lambda html: extract_plain_text(html, main_content=True), None),
        "resiliparse (olm)": (res.extract, ResiliparseExtractor),
    }


def time_call(fn: Callable[[str], object], pages: list[str]) -> float:
    start = time.process_time()
    for html in pages:
        fn(html)
    return time.process_time() - start


def time_step(factory: Callable[[], object], pages: list[str]) -> float:
    docs = [Document(text=html, id=str(i), metadata={}) for i, html in enumerate(pages)]
    start = cpu_seconds()  # the subprocess's CPU is counted once it has exited, at the end of `run`
    for _ in factory().run(docs):
        pass
    return cpu_seconds() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", type=Path, default=SHARED)
    p.add_argument("--debian-dir", type=Path, default=None, help="unpacked debian-reference-* packages")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--top", type=int, default=12, help="most frequent added lines to show per variant")
    args = p.parse_args()

    import logging

    from datatrove.utils.logging import logger

    logger.remove()  # the step's per-run INFO lines would drown the tables
    logging.disable(logging.WARNING)

    warc = args.shared / "warc" / "iana.warc.gz"
    if not warc.exists():
        print(f"no iana WARC at {warc} (--shared)", file=sys.stderr)
        return 2
    pages = iana_group(warc) + debian_group(args.debian_dir)
    groups = sorted({g for g, _, _ in pages}, key=lambda g: (g != "iana", g))
    html = [h for _, _, h in pages]
    print(f"{len(pages)} pages ({', '.join(f'{g}: {sum(x == g for x, _, _ in pages)}' for g in groups)}), "
          f"{sum(map(len, html)) / len(html) / 1000:.0f} K chars of HTML on average")  # fmt: skip

    found = variants()
    # speed: all pages, each variant's call and step, interleaved, median of repeats
    calls: dict[str, list[float]] = {k: [] for k in found}
    steps: dict[str, list[float]] = {k: [] for k, (_, f) in found.items() if f}
    per_group: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeats):
        for name, (fn, factory) in found.items():
            for g in groups:
                sel = [h for x, _, h in pages if x == g]
                per_group.setdefault((name, g), []).append(time_call(fn, sel))
            calls[name].append(sum(per_group[(name, g)][-1] for g in groups))
            if factory:
                steps[name].append(time_step(factory, html))
    mb = sum(len(h.encode("utf-8")) for h in html) / 1e6

    outputs = {name: [fn(h) or "" for h in html] for name, (fn, _) in found.items()}
    ref_tokens = [Counter(tokens(t)) for t in outputs["trafilatura (olm)"]]

    print(f"\nspeed, one core, CPU seconds (median of {args.repeats}); {mb:.1f} MB of HTML")
    print(f"{'extractor':<20} {'call docs/s':>12} {'step docs/s':>12} {'MB/s':>7} {'x trafilatura':>14}")
    base = len(html) / statistics.median(calls["trafilatura (olm)"])
    for name in found:
        rate = len(html) / statistics.median(calls[name])
        step = f"{len(html) / statistics.median(steps[name]):.1f}" if name in steps else "-"
        print(f"{name:<20} {rate:>12.1f} {step:>12} {mb * rate / len(html):>7.2f} {rate / base:>14.1f}")

    print("\nper page group: docs/s (call) | mean chars out | kept / added vs trafilatura's tokens")
    header = f"{'group':<14} {'pages':>5}"
    for name in found:
        header += f" | {name:^31}"
    print(header)
    for g in [*groups, "all"]:
        idx = [i for i, (x, _, _) in enumerate(pages) if g in ("all", x)]
        row = f"{g:<14} {len(idx):>5}"
        for name in found:
            if g == "all":
                rate = len(idx) / statistics.median(calls[name])
            else:
                rate = len(idx) / statistics.median(per_group[(name, g)])
            ref_total = sum(sum(ref_tokens[i].values()) for i in idx) or 1
            kept = added = 0
            for i in idx:
                mine = Counter(tokens(outputs[name][i]))
                kept += sum((mine & ref_tokens[i]).values())
                added += sum((mine - ref_tokens[i]).values())
            chars = sum(len(outputs[name][i]) for i in idx) / len(idx)
            row += f" | {rate:>6.1f} {chars:>7.0f} {kept / ref_total:>6.1%} {added / ref_total:>+7.1%}"
        print(row)

    # a line is "added" when its token sequence appears nowhere in trafilatura's output of the page (so a table
    # row written "a<TAB>b" matches trafilatura's "| a | b |")
    ref_norm = [f" {' '.join(tokens(t))} " for t in outputs["trafilatura (olm)"]]
    for name in found:
        if name == "trafilatura (olm)":
            continue
        extra: Counter[str] = Counter()
        n_lines = 0
        for i, text in enumerate(outputs[name]):
            for line in {line.strip() for line in text.splitlines()}:
                norm = " ".join(tokens(line))
                if norm and f" {norm} " not in ref_norm[i]:
                    n_lines += 1
                    extra[" ".join(line.split())[:60]] += 1
        print(f"\n{name}: {n_lines} lines in no trafilatura output of their page; the most frequent (pages):")
        for line, n in extra.most_common(args.top):
            print(f"  {n:>4}  {line!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
