"""Corpus helpers shared by the benchmark scripts (run as `python benchmarks/X.py`, which puts this folder first
on sys.path, so `from common import ...` works)."""

from __future__ import annotations

import gzip
import re
import resource
import subprocess
import tempfile
from pathlib import Path

#: the Debian Reference in 5 languages: real, large, multilingual HTML (75 pages), as ../shared/reference/cpu-anchors.md
DEBIAN_PACKAGES = [f"debian-reference-{lang}" for lang in ("en", "de", "fr", "es", "zh-cn")]


def split_into_docs(text: str, min_chars: int = 2000, max_chars: int = 5000) -> list[str]:
    """Paragraph groups of min_chars..max_chars (a shorter tail joins the previous group): the document size the
    CPU anchors in ../shared/reference/cpu-anchors.md use."""
    docs, current, size = [], [], 0
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if not para:
            continue
        if size + len(para) > max_chars and size >= min_chars:
            docs.append("\n".join(current))
            current, size = [], 0
        current.append(para)
        size += len(para) + 1
    if current:
        if size < min_chars and docs:
            docs[-1] += "\n" + "\n".join(current)
        else:
            docs.append("\n".join(current))
    return docs


def wikipedia_texts(dump: Path) -> list[str]:
    """Clean namespace-0 articles of a dump, through the project's own reader (what the pipelines produce)."""
    from olm_data.readers.wikipedia import WikipediaDumpReader

    return [doc.text for doc in WikipediaDumpReader(str(dump), index=False).run()]


def iana_pages(warc: Path) -> list[tuple[str, str]]:
    """(url, html) of the WARC's HTML responses, decoded by the project's reader."""
    from olm_data.readers.warc import CommonCrawlWarcReader

    return [(d.metadata["url"], d.text) for d in CommonCrawlWarcReader(str(warc)).run()]


def debian_html_files(debian_dir: Path | None) -> list[tuple[str, bytes]]:
    """(file name, raw HTML) of the Debian Reference pages (`ch02.en.html`), sorted; without a folder of unpacked
    packages, `apt-get download` + `dpkg-deb -x` them into a temporary one."""
    with tempfile.TemporaryDirectory() as tmp:
        if debian_dir is None:
            debian_dir = Path(tmp)
            subprocess.run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=tmp, check=True, capture_output=True)
            for deb in sorted(debian_dir.glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(debian_dir / "x")], check=True)
        return [(p.name, p.read_bytes()) for p in sorted(debian_dir.rglob("*.html"), key=lambda p: p.name)]


def html_dir_pages(folder: Path) -> list[tuple[str, str]]:
    """(file name, html) of every `*.html` / `*.html.gz` in a folder of saved web pages, sorted (e.g. the 181 news
    and blog pages of github.com/scrapinghub/article-extraction-benchmark, `html/`)."""
    paths = sorted(p for p in folder.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz")))
    read = {True: lambda p: gzip.decompress(p.read_bytes()), False: lambda p: p.read_bytes()}
    return [(p.name, read[p.name.endswith(".gz")](p).decode("utf-8", "replace")) for p in paths]


def datatrove_fineweb_filters() -> list:
    """datatrove's FineWeb-style filters after extraction (LanguageFilter en -> GopherRepetition -> GopherQuality ->
    C4 -> FineWebQuality), with the bundled lid.176.ftz loaded lazily instead of a download (lazily: the steps
    must deep-copy and pickle, as executors do with them)."""
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from datatrove.utils.lid import FT176LID

    from olm_data.filters.language import default_lid_model_path

    class LocalFT176(FT176LID):
        @property
        def model(self):
            if self._model is None:
                from fasttext.FastText import _FastText

                self._model = _FastText(str(default_lid_model_path()))
            return self._model

    lid = LanguageFilter(languages=["en"])
    lid.model = LocalFT176(["en"])
    return [
        lid,
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
    ]


def cpu_self_and_children() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its finished children (e.g. extraction sandboxes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def cpu_seconds() -> float:
    """CPU seconds of this process plus its finished children: honest per-core numbers on a busy machine."""
    return sum(cpu_self_and_children())
