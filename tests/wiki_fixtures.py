"""Build small MediaWiki `pages-articles` dumps for tests: plain XML, bz2, and multistream bz2 + index.

The layout follows the real Wikimedia dumps: the first bz2 stream holds `<mediawiki ...>` and `<siteinfo>`,
each following stream holds a few `<page>` elements, the last stream holds `</mediawiki>`, and the index has
one `byte_offset:page_id:title` line per page.
"""

from __future__ import annotations

import bz2
import random
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

HEADER = (
    '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="0.10" xml:lang="{lang}">\n'
)
FOOTER = "</mediawiki>\n"


@dataclass
class Page:
    """One `<page>` of a fixture dump."""

    id: int
    title: str
    text: str
    ns: int = 0
    redirect: str | None = None
    timestamp: str = "2022-12-01T00:00:00Z"
    raw_xml: str | None = None  # written verbatim instead of the generated element (to inject damage)

    def xml(self) -> str:
        if self.raw_xml is not None:
            return self.raw_xml
        redirect = f"    <redirect title={quoteattr(self.redirect)} />\n" if self.redirect else ""
        return (
            "  <page>\n"
            f"    <title>{escape(self.title)}</title>\n"
            f"    <ns>{self.ns}</ns>\n"
            f"    <id>{self.id}</id>\n"
            f"{redirect}"
            "    <revision>\n"
            f"      <id>{self.id * 1000 + 7}</id>\n"
            f"      <timestamp>{self.timestamp}</timestamp>\n"
            "      <contributor>\n        <username>Someone</username>\n        <id>42</id>\n      </contributor>\n"
            "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
            f'      <text bytes="{len(self.text.encode())}" xml:space="preserve">{escape(self.text)}</text>\n'
            "    </revision>\n"
            "  </page>\n"
        )


def siteinfo_xml(
    base: str = "https://en.wikipedia.org/wiki/Main_Page",
    media: str = "Media",
    file: str = "File",
    category: str = "Category",
) -> str:
    """A `<siteinfo>` like the real one, with the namespace names the cleaner localizes on."""
    return (
        "  <siteinfo>\n"
        "    <sitename>Wikipedia</sitename>\n    <dbname>testwiki</dbname>\n"
        f"    <base>{escape(base)}</base>\n"
        "    <generator>MediaWiki 1.40</generator>\n    <case>first-letter</case>\n"
        "    <namespaces>\n"
        f'      <namespace key="-2" case="first-letter">{escape(media)}</namespace>\n'
        '      <namespace key="0" case="first-letter" />\n'
        '      <namespace key="1" case="first-letter">Talk</namespace>\n'
        f'      <namespace key="6" case="first-letter">{escape(file)}</namespace>\n'
        '      <namespace key="10" case="first-letter">Template</namespace>\n'
        f'      <namespace key="14" case="first-letter">{escape(category)}</namespace>\n'
        "    </namespaces>\n"
        "  </siteinfo>\n"
    )


def article_text(i: int, words: int = 60, seed: int = 0) -> str:
    """Deterministic wikitext with the markup the cleaner must remove (and a unique marker word `artI`)."""
    rng = random.Random(seed * 100_003 + i)
    vocab = ["river", "city", "music", "history", "science", "people", "language", "island", "theory", "war"]
    body = " ".join(rng.choice(vocab) for _ in range(words))
    return (
        f"{{{{Infobox thing|name=Thing {i}}}}}\n"
        f"'''Art{i}''' is an article about art{i} and [[Linked page|linked text]].<ref>Some citation {i}</ref> "
        f"{body}.\n\n"
        f"[[File:Picture{i}.jpg|thumb|A caption]]\n"
        f"== Section {i} ==\n"
        f'More text about art{i}.<ref name="n{i}" /> {{{{cite web|url=http://x.org}}}}\n'
        '{| class="wikitable"\n|-\n| cell || cell\n|}\n'
        "__NOTOC__\n"
        f"[[Category:Things {i}]]\n"
    )


def sample_pages(n: int = 12, words: int = 60, seed: int = 0) -> list[Page]:
    """`n` articles plus, every 5th slot, a non-article page or a redirect (which the reader must skip)."""
    pages = []
    for i in range(n):
        pid = 100 + i
        if i % 5 == 3:
            pages.append(Page(pid, f"Talk:Art {i}", f"talk page {i}", ns=1))
        elif i % 5 == 4:
            pages.append(Page(pid, f"Art redirect {i}", "#REDIRECT [[Art 0]]", redirect="Art 0"))
        else:
            pages.append(Page(pid, f"Art {i}", article_text(i, words, seed)))
    return pages


def dump_xml(pages: list[Page], siteinfo: str | None = None, lang: str = "en") -> str:
    return (
        HEADER.format(lang=lang)
        + (siteinfo if siteinfo is not None else siteinfo_xml())
        + "".join(p.xml() for p in pages)
        + FOOTER
    )


def write_plain_dump(
    path: Path, pages: list[Page], siteinfo: str | None = None, compresslevel: int | None = 9
) -> Path:
    """Write `pages` as one XML document; bz2-compressed (one stream) unless compresslevel is None."""
    data = dump_xml(pages, siteinfo).encode()
    path.write_bytes(data if compresslevel is None else bz2.compress(data, compresslevel))
    return path


def write_multistream_dump(
    path: Path,
    pages: list[Page],
    pages_per_stream: int = 2,
    siteinfo: str | None = None,
    index_path: Path | None = None,
) -> tuple[Path, Path, list[int]]:
    """Write a multistream dump and its bz2 index (default: the standard `-multistream-index.txt.bz2` name).

    Returns:
        (dump path, index path, start offset of each page stream)
    """
    if index_path is None:
        name = path.name.replace("-multistream.xml.bz2", "-multistream-index.txt.bz2")
        assert name != path.name, "name the dump X-multistream.xml.bz2 or pass index_path"
        index_path = path.with_name(name)
    head = (HEADER.format(lang="en") + (siteinfo if siteinfo is not None else siteinfo_xml())).encode()
    blob = bytearray(bz2.compress(head))
    offsets, lines = [], []
    for k in range(0, len(pages), pages_per_stream):
        group = pages[k : k + pages_per_stream]
        offsets.append(len(blob))
        lines += [f"{len(blob)}:{p.id}:{p.title}\n" for p in group]
        blob += bz2.compress("".join(p.xml() for p in group).encode())
    blob += bz2.compress(FOOTER.encode())
    path.write_bytes(bytes(blob))
    index_path.write_bytes(bz2.compress("".join(lines).encode()))
    return path, index_path, offsets
