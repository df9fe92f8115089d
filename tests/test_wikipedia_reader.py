"""WikipediaDumpReader: cleaning, the three dump formats, parallel reads, and damaged input."""

from __future__ import annotations

import bz2
import pickle
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import fsspec
import pytest
from datatrove.utils.logging import logger
from wiki_fixtures import (
    Page,
    article_text,
    dump_xml,
    sample_pages,
    siteinfo_xml,
    write_multistream_dump,
    write_plain_dump,
)

from olm_data.errors import UsageError
from olm_data.readers.wikipedia import (
    MAX_PAGE_BYTES,
    WikipediaDumpReader,
    clean_wikitext,
    default_index_path,
    read_multistream_index,
)

REAL_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared/data/wikipedia/enwiki-sample-206-pages.xml.bz2"


def read_all(path, world_size: int = 1, **kwargs) -> tuple[list, list[dict]]:
    """Run every task of a `world_size`-task read; return the documents per task and the stats per task."""
    docs, stats = [], []
    for rank in range(world_size):
        reader = WikipediaDumpReader(str(path), **kwargs)
        docs.append(list(reader.run(rank=rank, world_size=world_size)))
        stats.append({k: v.total for k, v in reader.stats.stats.items()})
    return docs, stats


def read_logged(path) -> tuple[list, dict, list[str]]:
    """One task's documents, stats and the warnings it logged."""
    messages: list[str] = []
    sink = logger.add(lambda m: messages.append(str(m)), level="WARNING")
    try:
        (docs,), (stats,) = read_all(path)
    finally:
        logger.remove(sink)
    return docs, stats, messages


def as_rows(docs) -> list[tuple]:
    return sorted((d.id, d.text, d.metadata["url"], d.metadata["title"], d.metadata["timestamp"]) for d in docs)


def article_ids(pages: list[Page]) -> list[str]:
    return sorted(str(p.id) for p in pages if p.ns == 0 and not p.redirect)


def assert_clean(text: str) -> None:
    for markup in ("{{", "}}", "[[", "]]", "<ref", "</ref", "{|", "__NOTOC__", "'''"):
        assert markup not in text, (markup, text)


# ---------------------------------------------------------------------------------------------------------------
# cleaning


def test_clean_wikitext_matches_olm_rules() -> None:
    text = clean_wikitext(article_text(1, words=3, seed=0))
    lead, section, category = text.split("\n\n")
    assert lead.startswith("Art1 is an article about art1 and linked text. ")  # bold dropped, link label kept
    assert "citation" not in text and "caption" not in text and "cell" not in text  # refs, File links, tables
    assert section == "Section 1\nMore text about art1."  # heading kept, self-closing ref and template gone
    assert category == "Things 1"  # category text kept without its prefix
    assert_clean(text)


def test_clean_wikitext_leaves_no_markup_when_the_parser_gives_up() -> None:
    # unbalanced '' made mwparserfromhell return refs and templates as raw text on real pages (Aristotle, Agassi)
    text = clean_wikitext("''Comm. Magnum'' in Aristotle''<ref>{{cite web|x=''y}}</ref> said. [[File:A.jpg|a [[b]]]]")
    assert text == "Comm. Magnum in Aristotle said."
    broken = clean_wikitext("[[File:X.png|thumb|cap [[Link]] text\n\nNext {{broken\n\nx <ref name=q>open ref {}}{ y")
    assert_clean(broken)
    assert "Link text" in broken and "open ref" in broken


def test_localized_namespaces_and_base_url_come_from_siteinfo(tmp_path: Path) -> None:
    site = siteinfo_xml(
        base="https://de.wikipedia.org/wiki/Wikipedia:Hauptseite", file="Datei", category="Kategorie", media="Medium"
    )
    text = (
        "Die '''Straße''' [[Datei:Bild.jpg|mini|Bildtext]] ist lang.\n[[Medium:Ton.ogg]]\n[[Kategorie:Straße in Bonn]]"
    )
    path = write_plain_dump(tmp_path / "de.xml.bz2", [Page(7, "Straße (Bonn)", text)], siteinfo=site)
    (docs,), _ = read_all(path)
    assert docs[0].text == "Die Straße  ist lang.\n\nStraße in Bonn"  # as in the HF script, spaces stay
    assert docs[0].metadata["url"] == "https://de.wikipedia.org/wiki/Stra%C3%9Fe_(Bonn)"
    overridden = list(WikipediaDumpReader(str(path), base_url="https://example.org/w/").run())
    assert overridden[0].metadata["url"] == "https://example.org/w/Stra%C3%9Fe_(Bonn)"


# ---------------------------------------------------------------------------------------------------------------
# formats and parallel reads


def test_plain_bz2_and_multistream_dumps_give_the_same_articles(tmp_path: Path) -> None:
    pages = sample_pages(12)
    plain = write_plain_dump(tmp_path / "a.xml", pages, compresslevel=None)
    single = write_plain_dump(tmp_path / "a.xml.bz2", pages)
    multi, _, _ = write_multistream_dump(tmp_path / "x-multistream.xml.bz2", pages, pages_per_stream=3)
    results = [read_all(p) for p in (plain, single, multi)]
    rows = [as_rows(docs[0]) for docs, _ in results]
    assert rows[0] == rows[1] == rows[2]
    assert [r[0] for r in rows[0]] == article_ids(pages)
    first = next(r for r in rows[0] if r[0] == "100")
    assert first[2:] == ("https://en.wikipedia.org/wiki/Art_0", "Art 0", "2022-12-01T00:00:00Z")
    for _, (stats,) in results:
        assert stats["skipped_namespace"] == 2 and stats["skipped_redirect"] == 2 and stats["documents"] == 8
    for row in rows[0]:
        assert_clean(row[1])


def test_pages_empty_after_cleaning_are_skipped_and_counted(tmp_path: Path) -> None:
    pages = [Page(1, "Stub", "{{stub}}\n[[Category:]]__NOTOC__"), Page(2, "Blank", ""), Page(3, "Ok", "Real text.")]
    (docs,), (stats,) = read_all(write_plain_dump(tmp_path / "e.xml.bz2", pages))
    assert [d.id for d in docs] == ["3"]
    assert stats["skipped_empty"] == 2


@pytest.mark.parametrize("explicit_index", [False, True])
def test_multistream_tasks_read_disjoint_contiguous_slices(tmp_path: Path, explicit_index: bool) -> None:
    pages = sample_pages(30)
    dump, index, _ = write_multistream_dump(
        tmp_path / "d.xml.bz2", pages, pages_per_stream=2, index_path=tmp_path / "idx.txt.bz2"
    )
    kwargs = {"index": str(index)} if explicit_index else {}
    if not explicit_index:  # auto-detection needs the standard names
        dump = dump.rename(tmp_path / "enwiki-20221201-pages-articles-multistream.xml.bz2")
        index.rename(tmp_path / "enwiki-20221201-pages-articles-multistream-index.txt.bz2")
    (whole,), _ = read_all(dump, **kwargs)
    assert sorted(d.id for d in whole) == article_ids(pages)
    for world_size in (2, 3, 7):
        per_task, stats = read_all(dump, world_size, **kwargs)
        assert as_rows([d for docs in per_task for d in docs]) == as_rows(whole)
        ids = [[int(d.id) for d in docs] for docs in per_task]
        assert sum(map(len, ids)) == len(whole)  # nothing read twice
        flat = [i for task in ids for i in task]
        assert flat == sorted(flat)  # task r's pages all come before task r+1's: contiguous slices
        assert sum(s.get("pages", 0) for s in stats) == len(pages)  # each page parsed by one task only


def test_each_task_decompresses_only_its_streams(tmp_path: Path) -> None:
    pages = sample_pages(20)
    dump, _, offsets = write_multistream_dump(tmp_path / "enwiki-multistream.xml.bz2", pages, pages_per_stream=2)
    data = bytearray(dump.read_bytes())
    damaged = offsets[-2]  # a stream that belongs to the last task
    data[damaged + 40 : damaged + 60] = b"\x00" * 20
    dump.write_bytes(bytes(data))
    per_task, stats = read_all(dump, world_size=2)
    assert "corrupt_bz2" not in stats[0]  # task 0 never touched the damaged stream
    assert stats[1]["corrupt_bz2"] == 1
    lost = {str(p.id) for p in pages[-4:-2]}  # the damaged stream's two pages, nothing else
    got = sorted(d.id for docs in per_task for d in docs)
    assert got == sorted(set(article_ids(pages)) - lost)


@pytest.mark.parametrize("world_size", [2, 3])
def test_without_index_every_page_goes_to_exactly_one_task(tmp_path: Path, world_size: int) -> None:
    pages = sample_pages(17)
    dump = write_plain_dump(tmp_path / "plain.xml.bz2", pages)
    (whole,), _ = read_all(dump)
    per_task, stats = read_all(dump, world_size)
    assert as_rows([d for docs in per_task for d in docs]) == as_rows(whole)
    assert sum(len(docs) for docs in per_task) == len(whole)
    assert [s["pages"] for s in stats] == [len(range(r, 17, world_size)) for r in range(world_size)]
    # a multistream dump read with index=False falls back the same way
    multi, _, _ = write_multistream_dump(tmp_path / "m-multistream.xml.bz2", pages, pages_per_stream=4)
    per_task, _ = read_all(multi, world_size, index=False)
    assert as_rows([d for docs in per_task for d in docs]) == as_rows(whole)


def test_folder_of_dumps_deals_out_whole_files(tmp_path: Path) -> None:
    pages = sample_pages(12)
    for k in range(3):
        write_plain_dump(tmp_path / f"part{k}.xml.bz2", pages[k * 4 : (k + 1) * 4])
    (tmp_path / "notes.txt").write_text("not a dump")
    (whole,), _ = read_all(tmp_path)
    assert sorted(d.id for d in whole) == article_ids(pages)
    per_task, stats = read_all(tmp_path, world_size=3)
    assert [s["input_files"] for s in stats] == [1, 1, 1]
    assert as_rows([d for docs in per_task for d in docs]) == as_rows(whole)


def test_remote_paths_through_fsspec(tmp_path: Path) -> None:
    pages = sample_pages(10)
    dump, index, _ = write_multistream_dump(tmp_path / "enwiki-multistream.xml.bz2", pages, pages_per_stream=2)
    fs = fsspec.filesystem("memory")
    for local in (dump, index):
        fs.pipe(f"/olmtest/{local.name}", local.read_bytes())
    try:
        (local_docs,), _ = read_all(dump)
        per_task, _ = read_all(f"memory://olmtest/{dump.name}", world_size=2)
        assert all(per_task)  # the index was found remotely, so both tasks got a slice
        assert as_rows([d for docs in per_task for d in docs]) == as_rows(local_docs)
    finally:
        fs.rm("/olmtest", recursive=True)


def test_reader_pickles_and_honours_limit(tmp_path: Path) -> None:
    dump = write_plain_dump(tmp_path / "p.xml.bz2", sample_pages(12))
    reader = pickle.loads(pickle.dumps(WikipediaDumpReader(str(dump), limit=3)))
    assert [d.id for d in reader.run()] == ["100", "101", "102"]


def test_index_helpers(tmp_path: Path) -> None:
    assert default_index_path("/d/enwiki-20221201-pages-articles-multistream.xml.bz2") == (
        "/d/enwiki-20221201-pages-articles-multistream-index.txt.bz2"
    )
    assert default_index_path("enwiki-x-multistream3.xml-p151574p311329.bz2") == (
        "enwiki-x-multistream-index3.txt-p151574p311329.bz2"
    )
    assert default_index_path("/d/enwiki-pages-articles.xml.bz2") is None
    raw = b"600:1:A\n600:2:B: with colon\ngarbage line\n\n1200:3:C\n"
    (tmp_path / "i.txt.bz2").write_bytes(bz2.compress(raw))
    with open(tmp_path / "i.txt.bz2", "rb") as f:
        assert read_multistream_index(f) == ([600, 1200], 1, False)
    many = "".join(f"{600 * (k // 100 + 1)}:{k}:Title number {k}\n" for k in range(40_000)).encode()
    packed = bz2.compress(many, 1)  # 100 kB blocks, so a cut file still holds whole blocks
    (tmp_path / "cut.txt.bz2").write_bytes(packed[: len(packed) * 7 // 10])
    with open(tmp_path / "cut.txt.bz2", "rb") as f:
        offsets, bad, damaged = read_multistream_index(f)
    assert damaged and bad == 0 and 10 < len(offsets) < 400 and offsets == [600 * (k + 1) for k in range(len(offsets))]


# ---------------------------------------------------------------------------------------------------------------
# bad input: never a crash, never a lost good page, always counted


def test_truncated_bz2_keeps_the_pages_before_the_damage(tmp_path: Path) -> None:
    pages = [Page(1000 + i, f"Long {i}", article_text(i, words=300)) for i in range(120)]
    dump = write_plain_dump(tmp_path / "t.xml.bz2", pages, compresslevel=1)  # 100 kB blocks: several of them
    (full,), _ = read_all(dump)
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size * 6 // 10])
    (docs,), (stats,) = read_all(dump)
    assert 0 < len(docs) < len(full)
    assert [(d.id, d.text) for d in docs] == [(d.id, d.text) for d in full[: len(docs)]]
    assert stats["truncated_file"] == 1 and stats["bad_page"] == 1  # the page cut in half


def test_truncated_multistream_keeps_complete_streams(tmp_path: Path) -> None:
    pages = sample_pages(20)
    dump, _, offsets = write_multistream_dump(tmp_path / "enwiki-multistream.xml.bz2", pages, pages_per_stream=2)
    dump.write_bytes(dump.read_bytes()[: offsets[6] + 30])  # streams 0-5 whole, stream 6 cut, 7-9 gone
    kept = set(article_ids(pages[:12]))
    for world_size in (1, 3):
        per_task, stats = read_all(dump, world_size)
        assert sorted(d.id for docs in per_task for d in docs) == sorted(kept)
        assert sum(s.get("truncated_file", 0) for s in stats) >= 1


def test_corrupt_stream_without_index_is_skipped_by_resync(tmp_path: Path) -> None:
    pages = sample_pages(20)
    dump, _, offsets = write_multistream_dump(tmp_path / "s-multistream.xml.bz2", pages, pages_per_stream=2)
    data = bytearray(dump.read_bytes())
    data[offsets[3] + 40 : offsets[3] + 60] = b"\xff" * 20
    dump.write_bytes(bytes(data))
    (docs,), (stats,) = read_all(dump, index=False)
    assert sorted(d.id for d in docs) == sorted(set(article_ids(pages)) - {"106", "107"})
    assert stats["corrupt_bz2"] == 1


def test_malformed_page_xml_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    pages = sample_pages(10)
    good = dump_xml(pages)
    bad_title = Page(900, "Bad", "text").xml().replace("<title>Bad</title>", "<title>A & B</title>")
    no_close = Page(901, "Open", "text").xml().replace("  </page>\n", "")
    xml = good.replace(pages[2].xml(), pages[2].xml() + bad_title + no_close)
    path = tmp_path / "bad.xml"
    path.write_text(xml)
    (docs,), (stats,) = read_all(path)
    assert sorted(d.id for d in docs) == article_ids(pages)
    assert stats["bad_page"] == 2
    # the same damage inside one stream of a multistream dump costs that page only
    broken = Page(902, "Broken", "x").xml().replace("</ns>", "</nz>")
    damaged = pages[:5] + [Page(902, "Broken", "", raw_xml=broken)] + pages[5:]
    multi, _, _ = write_multistream_dump(tmp_path / "enwiki-multistream.xml.bz2", damaged, pages_per_stream=2)
    for world_size in (1, 2):
        per_task, stats = read_all(multi, world_size)
        assert sorted(d.id for docs in per_task for d in docs) == article_ids(pages)
        assert sum(s.get("bad_page", 0) for s in stats) == 1


def test_empty_file_is_counted_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "empty.xml.bz2").write_bytes(b"")
    (docs,), (stats,) = read_all(tmp_path / "empty.xml.bz2")
    assert docs == [] and stats["empty_file"] == 1
    (tmp_path / "other.xml").write_bytes(bytes(range(256)) * 100)  # not a dump at all (e.g. gzip, HTML)
    (docs,), (stats,) = read_all(tmp_path / "other.xml")
    assert docs == [] and stats["no_pages"] == 1


def test_missing_inputs_are_usage_errors(tmp_path: Path) -> None:
    dump, _, _ = write_multistream_dump(tmp_path / "enwiki-multistream.xml.bz2", sample_pages(4))
    with pytest.raises(UsageError, match="index not found: .*nope.txt.bz2"):
        WikipediaDumpReader(str(dump), index=str(tmp_path / "nope.txt.bz2"))
    with pytest.raises(UsageError, match="dump not found"):
        WikipediaDumpReader(str(tmp_path / "missing.xml.bz2"))
    plain = write_plain_dump(tmp_path / "plain.xml", sample_pages(4), compresslevel=None)
    with pytest.raises(UsageError, match="not bz2-compressed"):
        list(WikipediaDumpReader(str(plain), index=str(tmp_path / "enwiki-multistream-index.txt.bz2")).run())


def test_each_kind_of_problem_is_logged_once_with_its_location(tmp_path: Path) -> None:
    pages = sample_pages(6)
    bad = [Page(800 + i, "Bad", "x").xml().replace("<title>Bad</title>", "<title>&</title>") for i in range(3)]
    path = tmp_path / "bad.xml"
    path.write_text(dump_xml(pages).replace("</mediawiki>", "".join(bad) + "</mediawiki>"))
    docs, stats, messages = read_logged(path)
    assert stats["bad_page"] == 3 and len(docs) == len(article_ids(pages))
    bad_lines = [m for m in messages if "bad_page" in m]
    assert len(bad_lines) == 1
    assert str(path) in bad_lines[0] and "page id 800" in bad_lines[0]


# ---------------------------------------------------------------------------------------------------------------
# real data (optional)


@pytest.mark.skipif(not REAL_SAMPLE.exists(), reason="shared real-data sample not present")
def test_real_enwiki_sample_yields_clean_articles_only() -> None:
    ns = "{http://www.mediawiki.org/xml/export-0.10/}"
    expected = set()
    with bz2.open(REAL_SAMPLE) as f:
        for _, el in ET.iterparse(f):
            if el.tag == ns + "page":
                if el.findtext(ns + "ns") == "0" and el.find(ns + "redirect") is None:
                    expected.add(el.findtext(ns + "id"))
                el.clear()
    (docs,), (stats,) = read_all(REAL_SAMPLE)
    assert {d.id for d in docs} == expected and len(docs) == len(expected) > 50
    assert stats["pages"] == 206 and stats["skipped_redirect"] + stats["skipped_namespace"] == 206 - len(docs)
    for doc in docs:
        assert_clean(doc.text)
        url, title = doc.metadata["url"], doc.metadata["title"]
        assert unquote(url) == "https://en.wikipedia.org/wiki/" + title.replace(" ", "_") and " " not in url
        assert doc.metadata["timestamp"].endswith("Z")
    anarchism = next(d for d in docs if d.metadata["title"] == "Anarchism")
    assert anarchism.text.startswith("Anarchism is a political philosophy")


def test_oversized_page_is_skipped_counted_and_logged_once(tmp_path: Path) -> None:
    """A page over the limit (default 1 MiB) would stall its task in mwparserfromhell; it is skipped instead."""
    pages = sample_pages(6)
    huge = Page(900, "Huge list", article_text(900) * (MAX_PAGE_BYTES // len(article_text(900)) + 1))
    assert len(huge.text.encode()) > MAX_PAGE_BYTES
    second = Page(901, "Huge list 2", huge.text)
    path = write_plain_dump(tmp_path / "huge.xml.bz2", [*pages[:3], huge, *pages[3:], second])
    docs, stats, messages = read_logged(path)
    assert [d.id for d in docs] == article_ids(pages)
    assert stats["oversized_page"] == 2
    lines = [m for m in messages if "oversized_page" in m]
    assert len(lines) == 1 and str(path) in lines[0] and "page id 900" in lines[0] and "Huge list" in lines[0]
    # the limit is an option: a smaller one skips more, None reads everything
    (small,), (small_stats,) = read_all(path, max_page_bytes=100)
    assert small == [] and small_stats["oversized_page"] == len(article_ids(pages)) + 2
    (everything,), _ = read_all(path, max_page_bytes=None)
    assert [d.id for d in everything] == [*article_ids(pages[:3]), "900", *article_ids(pages[3:]), "901"]
