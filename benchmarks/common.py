"""Corpus helpers shared by the benchmark scripts (run as `python benchmarks/X.py`, which puts this folder first
on sys.path, so `from common import ...` works)."""

from __future__ import annotations

import re
import resource
from pathlib import Path


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


def cpu_self_and_children() -> tuple[float, float]:
    """CPU seconds (user + system) of this process, and of its finished children (e.g. extraction sandboxes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def cpu_seconds() -> float:
    """CPU seconds of this process plus its finished children: honest per-core numbers on a busy machine."""
    return sum(cpu_self_and_children())
