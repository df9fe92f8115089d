"""Regenerate the bundled sample data byte for byte: 3 Common Crawl-style WARCs and a Wikipedia multistream dump.

Run: ``python -m olm_data.samples.make_sample [--output DIR]`` (default: the package's ``data/`` folder).

Why a script and not hand-made files: every byte of the sample is reproducible from the page texts in ``text/``
(``web_en.json``, ``web_other.json``, ``wiki_text.json``: data files, see ``load_text``), so a change to a page is a
reviewed diff and a test can prove that the shipped files match. Determinism: fixed WARC-Date values, record ids are uuid5 of the record's content, gzip members
and bz2 streams are written with fixed levels and no timestamps, and every listing is in a fixed order.
"""

from __future__ import annotations

import argparse
import base64
import bz2
import hashlib
import html
import io
import json
import re
import struct
import sys
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape as xml_escape

TEXT_DIR = Path(__file__).with_name("text")


def load_text(name: str) -> SimpleNamespace:
    """The sample's page texts, `text/<name>.json` (written for this project): data, not code. A multi-line string
    is stored as `{"lines": [...]}`, so a change to a page is a diff of the lines it touches; `about` says what the
    file holds."""

    def decode(value: Any) -> Any:
        if isinstance(value, dict):
            if list(value) == ["lines"] and isinstance(value["lines"], list):
                return "\n".join(value["lines"])
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    data = json.loads((TEXT_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return SimpleNamespace(**{k: decode(v) for k, v in data.items() if k != "about"})


_web_en, _web_other, _wiki_text = load_text("web_en"), load_text("web_other"), load_text("wiki_text")

SNAPSHOT = "CC-MAIN-2022-49"
WARC_NAMES = [f"{SNAPSHOT}-sample-{i:05d}.warc.gz" for i in range(3)]
WIKI_DUMP_NAME = "enwiki-sample-multistream.xml.bz2"
WIKI_INDEX_NAME = "enwiki-sample-multistream-index.txt.bz2"
# Fixed namespace for uuid5 record ids; changing it changes every WARC-Record-ID.
ID_NAMESPACE = uuid.UUID("6f1c3a52-8d3e-5b7a-9c41-0e2d5f8a7b60")
GZIP_LEVEL = 9
BZ2_LEVEL = 9
PAGES_PER_STREAM = 5
# Crawl start time of each WARC file (the CC-MAIN-2022-49 crawl ran from 26 Nov to early Dec 2022).
FILE_START = [
    datetime(2022, 11, 26, 8, 7, 25, tzinfo=timezone.utc),
    datetime(2022, 11, 30, 14, 22, 10, tzinfo=timezone.utc),
    datetime(2022, 12, 7, 18, 5, 12, tzinfo=timezone.utc),
]
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
HTTP_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HTTP_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LANG_NAMES = {"en": "ENGLISH", "de": "GERMAN", "fr": "FRENCH", "es": "SPANISH", "zh": "Chinese", "ru": "RUSSIAN"}
LANG_ISO3 = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "zh": "zho", "ru": "rus"}
SITES = {**_web_en.SITES, **_web_other.OTHER_SITES}
# Template strings per page language, so that a German page is German around its article too.
UI = {
    "en": ("By", "by", "Most read", "Recent posts", "Share", "Print", "Leave a comment", "Subscribe", "Your email",
           "Search", "Skip to content", ("About us", "Contact", "Privacy policy", "Cookie settings")),
    "de": ("Von", "von", "Meistgelesen", "Neueste Beiträge", "Teilen", "Drucken", "Kommentar schreiben",
           "Abonnieren", "Ihre E-Mail", "Suche", "Zum Inhalt springen", ("Über uns", "Kontakt", "Datenschutz", "Impressum")),
    "fr": ("Par", "par", "Les plus lus", "Articles récents", "Partager", "Imprimer", "Laisser un commentaire",
           "S'abonner", "Votre e-mail", "Rechercher", "Aller au contenu", ("Qui sommes-nous", "Contact", "Confidentialité", "Cookies")),
    "es": ("Por", "por", "Lo más leído", "Entradas recientes", "Compartir", "Imprimir", "Deja un comentario",
           "Suscribirse", "Tu correo", "Buscar", "Ir al contenido", ("Sobre nosotros", "Contacto", "Privacidad", "Cookies")),
    "zh": ("作者", "作者", "热门文章", "最新文章", "分享", "打印", "发表评论", "订阅", "电子邮箱", "搜索", "跳到正文",
           ("关于我们", "联系我们", "隐私政策", "网站声明")),
    "ru": ("Автор:", "автор:", "Популярное", "Свежие записи", "Поделиться", "Печать", "Оставить комментарий",
           "Подписаться", "Ваш e-mail", "Поиск", "Перейти к содержимому", ("О нас", "Контакты", "Конфиденциальность", "Реклама")),
}  # fmt: skip
MONTHS_LOCAL = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split(),
}


def default_output() -> Path:
    """The package's data folder, where the shipped sample lives."""
    return Path(__file__).resolve().parent / "data"


# ----------------------------------------------------------------------------------------------------------------
# Article markup -> HTML and plain text
# ----------------------------------------------------------------------------------------------------------------


def parse_blocks(body: str) -> list[tuple[str, object]]:
    """Split the tiny article markup into ("h2"|"p"|"ul"|"ol"|"quote", content) blocks."""
    blocks: list[tuple[str, object]] = []
    for raw in body.strip().split("\n\n"):
        lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## "):
            blocks.append(("h2", lines[0][3:]))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(("ul", [line[2:] for line in lines]))
        elif all(re.match(r"\d+\. ", line) for line in lines):
            blocks.append(("ol", [line.split(". ", 1)[1] for line in lines]))
        elif lines[0].startswith("> "):
            blocks.append(("quote", " ".join(line[2:] for line in lines)))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def plain_text(body: str) -> str:
    """The article text a good extractor should return: one line per paragraph, heading or list item."""
    out: list[str] = []
    for kind, content in parse_blocks(body):
        if kind in ("ul", "ol"):
            out.extend(content)  # type: ignore[arg-type]
        else:
            out.append(str(content).removeprefix("LATIN1: "))
    return "\n".join(out)


def _blocks_html(body: str) -> str:
    parts = []
    for kind, content in parse_blocks(body):
        if kind in ("ul", "ol"):
            items = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in content)  # type: ignore[union-attr]
            parts.append(f"<{kind}>{items}</{kind}>")
        elif kind == "quote":
            parts.append(f"<blockquote><p>{html.escape(str(content), quote=False)}</p></blockquote>")
        else:
            parts.append(f"<{kind}>{html.escape(str(content), quote=False)}</{kind}>")
    return "\n".join(parts)


def _human_date(iso_day: str, lang: str = "en", us: bool = False) -> str:
    y, m, d = (int(x) for x in iso_day.split("-"))
    if lang == "zh":
        return f"{y}年{m}月{d}日"
    if lang == "de":
        return f"{d}. {MONTHS_LOCAL['de'][m - 1]} {y}"
    if lang == "es":
        return f"{d} de {MONTHS_LOCAL['es'][m - 1]} de {y}"
    if lang in MONTHS_LOCAL:
        return f"{d} {MONTHS_LOCAL[lang][m - 1]} {y}"
    return f"{MONTHS[m - 1]} {d}, {y}" if us else f"{d} {MONTHS[m - 1]} {y}"


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "home"


def _first_sentence(body: str) -> str:
    text = plain_text(body).split("\n")[0]
    m = re.match(r"(.+?[.!?。])(\s|$)", text)
    return (m.group(1) if m else text)[:200]


def article_html(site_key: str, art: dict, related: list[dict]) -> str:
    """Render one article inside its site's template: header/nav, the article, a related box, a footer.

    Three template styles (news, blog, howto) so that extractors see more than one page layout.
    """
    site = SITES[site_key]
    lang = site.get("lang", "en")
    charset = site.get("charset", "utf-8")
    url = f"https://{site['domain']}{art['path']}"
    us_dates = site["domain"].endswith((".com", ".org", ".net")) and lang == "en"
    esc = html.escape
    by, by_lower, most_read, recent, share, print_, comment, subscribe, email_ph, search, skip, foot = UI[lang]
    nav = "".join(
        f'<li><a href="/{_slug(label) if label.isascii() else f"section-{i}"}/">{esc(label)}</a></li>'
        for i, label in enumerate(site["nav"], start=1)
    )
    related_html = "".join(
        f'<li><a href="https://{site["domain"]}{r["path"]}">{esc(r["title"])}</a></li>' for r in related
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle" if site["style"] == "news" else "BlogPosting",
            "headline": art["title"],
            "datePublished": f"{art['published']}T07:30:00+00:00",
            "author": {"@type": "Person", "name": art["author"]},
            "publisher": {"@type": "Organization", "name": site["name"]},
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    head = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(art["title"])} | {esc(site["name"])}</title>
<meta name="description" content="{esc(_first_sentence(art["body"]))}">
<meta name="author" content="{esc(art["author"])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(art["title"])}">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="{esc(site["name"])}">
<meta property="article:published_time" content="{art["published"]}T07:30:00+00:00">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/css/main.css">
<link rel="icon" href="/favicon.ico">
<script type="application/ld+json">{ld}</script>
<script async src="/static/js/analytics.js"></script>
</head>"""
    byline_date = _human_date(art["published"], lang, us=us_dates)
    body_html = _blocks_html(art["body"])
    foot_links = "".join(
        f'<li><a href="/{slug}">{esc(x)}</a></li>'
        for x, slug in zip(foot, ("about", "contact", "privacy", "legal"), strict=True)
    )
    if site["style"] == "news":
        page = f"""
<body class="article-page">
<a class="skip-link" href="#content">{esc(skip)}</a>
<header class="site-header">
<div class="masthead"><a class="logo" href="/">{esc(site["name"])}</a></div>
<nav class="main-nav" aria-label="Sections"><ul>{nav}</ul></nav>
<form class="search" action="/search" role="search"><input type="search" name="q" aria-label="{esc(search)}"><button type="submit">{esc(search)}</button></form>
</header>
<main id="content">
<article class="story">
<header class="story-header">
<h1>{esc(art["title"])}</h1>
<p class="byline">{esc(by)} <span class="author">{esc(art["author"])}</span> <time datetime="{art["published"]}">{byline_date}</time></p>
</header>
<div class="story-body">
{body_html}
</div>
<div class="share"><a href="#" class="share-link">{esc(share)}</a> <a href="#" class="share-link">E-mail</a> <a href="#" class="share-link">{esc(print_)}</a></div>
</article>
<aside class="most-read"><h2>{esc(most_read)}</h2><ol>{related_html}</ol></aside>
</main>
<footer class="site-footer">
<p>{esc(site["footer"])}</p>
<ul class="footer-links">{foot_links}</ul>
<p class="copyright">&copy; 2022 {esc(site["name"])}</p>
</footer>
</body>
</html>
"""
    elif site["style"] == "blog":
        page = f"""
<body class="single-post">
<div class="site">
<header id="masthead" class="site-header">
<p class="site-title"><a href="/" rel="home">{esc(site["name"])}</a></p>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{nav}</ul></nav>
</header>
<div id="primary" class="content-area">
<main id="main" class="site-main">
<article class="post type-post status-publish hentry">
<header class="entry-header">
<h1 class="entry-title">{esc(art["title"])}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{art["published"]}">{byline_date}</time></span> <span class="byline">{esc(by_lower)} <a class="url fn n" href="/author/{_slug(art["author"]) if art["author"].isascii() else "1"}/">{esc(art["author"])}</a></span></div>
</header>
<div class="entry-content">
{body_html}
</div>
<footer class="entry-footer"><span class="comments-link"><a href="#comments">{esc(comment)}</a></span></footer>
</article>
</main>
</div>
<aside id="secondary" class="widget-area">
<section class="widget widget_recent_entries"><h2 class="widget-title">{esc(recent)}</h2><ul>{related_html}</ul></section>
<section class="widget widget_newsletter"><h2 class="widget-title">Newsletter</h2><form action="/subscribe"><input type="email" name="email" placeholder="{esc(email_ph)}"><button>{esc(subscribe)}</button></form></section>
</aside>
<footer id="colophon" class="site-footer"><div class="site-info">{esc(site["footer"])}</div><ul class="footer-menu">{foot_links}</ul></footer>
</div>
</body>
</html>
"""
    else:  # howto
        page = f"""
<body class="guide">
<header class="topbar">
<a class="brand" href="/">{esc(site["name"])}</a>
<nav class="topnav"><ul>{nav}</ul></nav>
</header>
<div class="layout">
<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/">Home</a> / <a href="/{art["path"].strip("/").split("/")[0]}/">{esc(art["path"].strip("/").split("/")[0].replace("-", " ").title())}</a></nav>
<main class="guide-main">
<article class="guide-article" itemscope itemtype="https://schema.org/Article">
<h1 itemprop="headline">{esc(art["title"])}</h1>
<p class="meta">Written by <span itemprop="author">{esc(art["author"])}</span>, updated <time itemprop="dateModified" datetime="{art["published"]}">{byline_date}</time></p>
<div class="guide-body" itemprop="articleBody">
{body_html}
</div>
<p class="feedback">Was this guide helpful? <button>Yes</button> <button>No</button></p>
</article>
</main>
<aside class="sidebar"><h3>Related guides</h3><ul>{related_html}</ul></aside>
</div>
<footer class="bottom"><p>{esc(site["footer"])}</p><ul>{foot_links}</ul></footer>
</body>
</html>
"""
    return head + page


def wikipedia_html(page: dict) -> str:
    """A Wikipedia-skinned page (the URL filter, not the extractor, is what should drop it)."""
    esc = html.escape
    side = "".join(
        f'<li><a href="/wiki/{x.replace(" ", "_")}">{x}</a></li>'
        for x in (
            "Main page",
            "Contents",
            "Current events",
            "Random article",
            "About Wikipedia",
            "Contact us",
            "Donate",
        )
    )
    body = _blocks_html(page["body"])
    return f"""<!DOCTYPE html>
<html class="client-nojs" lang="en" dir="ltr">
<head>
<meta charset="UTF-8">
<title>{esc(page["title"])} - Wikipedia</title>
<link rel="canonical" href="{page["url"]}">
</head>
<body class="mediawiki ltr sitedir-ltr skin-vector action-view">
<div id="mw-page-base" class="noprint"></div>
<div id="content" class="mw-body" role="main">
<h1 id="firstHeading" class="firstHeading mw-first-heading"><span class="mw-page-title-main">{esc(page["title"])}</span></h1>
<div id="bodyContent" class="vector-body">
<div id="siteSub" class="noprint">From Wikipedia, the free encyclopedia</div>
<div id="mw-content-text" class="mw-body-content mw-content-ltr" lang="en" dir="ltr"><div class="mw-parser-output">
{body}
</div></div>
</div>
</div>
<div id="mw-navigation"><h2>Navigation menu</h2><div id="mw-panel"><nav id="p-navigation" class="vector-menu mw-portlet"><h3>Navigation</h3><ul>{side}</ul></nav></div></div>
<footer id="footer" class="mw-footer" role="contentinfo"><ul id="footer-info"><li id="footer-info-lastmod"> This page was last edited on 2 November 2022, at 10:15<span class="anonymous-show">&#160;(UTC)</span>.</li><li id="footer-info-copyright">Text is available under the Creative Commons Attribution-ShareAlike License 3.0; additional terms may apply.</li></ul></footer>
</body>
</html>
"""


def boilerplate_html(page: dict) -> str:
    """Two sentences of content drowned in navigation, a cookie banner, promos and a link-heavy footer."""
    esc = html.escape
    sections = page["sections"].split(", ")
    mega = "".join(
        f'<li class="menu-item"><a href="/{_slug(s)}/">{esc(s)}</a><ul class="sub-menu">'
        + "".join(
            f'<li><a href="/{_slug(s)}/{_slug(sub)}/">{esc(sub)}</a></li>' for sub in ("Latest", "Popular", "Archive")
        )
        + "</ul></li>"
        for s in sections
    )
    trending = "".join(
        f'<li><a href="/trending/{i}">{esc(s)} latest updates</a></li>' for i, s in enumerate(sections[:12])
    )
    footer_cols = "".join(
        f'<div class="footer-col"><h4>{esc(s)}</h4><ul>'
        + "".join(f'<li><a href="/{_slug(s)}/{j}">{esc(s)} page {j}</a></li>' for j in range(1, 6))
        + "</ul></div>"
        for s in sections[:10]
    )
    content = "".join(f"<p>{esc(s)}</p>" for s in page["content"])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(page["title"])} | {esc(page["site_name"])}</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/vendor.js"></script>
<script src="/assets/consent.js"></script>
</head>
<body>
<div id="cookie-banner" class="consent-overlay" role="dialog" aria-label="Cookie consent">
<p>We and our partners use cookies and similar technologies to store and access information on your device, to personalise content and adverts, to measure performance and to understand our audience. You can accept all cookies, reject non-essential cookies or manage your preferences at any time.</p>
<button class="accept">Accept all</button> <button class="reject">Reject all</button> <a href="/cookie-preferences">Manage preferences</a>
</div>
<div class="promo-strip">Free delivery on orders over 50 pounds | Sign up for 10% off your first order | Download our app</div>
<header class="global-header">
<a class="logo" href="/">{esc(page["site_name"])}</a>
<nav class="mega-menu"><ul>{mega}</ul></nav>
<div class="account"><a href="/login">Sign in</a> <a href="/register">Register</a> <a href="/basket">Basket (0)</a></div>
</header>
<div class="trending"><h3>Trending now</h3><ul>{trending}</ul></div>
<main>
<article class="content">
<h1>{esc(page["title"])}</h1>
{content}
</article>
<div class="newsletter"><h3>Never miss an update</h3><p>Get our best stories delivered straight to your inbox every morning.</p><form><input type="email" placeholder="Email address"><button>Sign up</button></form></div>
<div class="recommended"><h3>You might also like</h3><ul>{trending}</ul></div>
</main>
<footer class="global-footer">{footer_cols}
<p>Follow us on social media. Download our app. Terms and conditions. Privacy notice. Accessibility. Modern slavery statement. Sitemap.</p>
<p>&copy; 2022 {esc(page["site_name"])}. All rights reserved.</p>
</footer>
</body>
</html>
"""


def spam_html(page: dict) -> str:
    """Keyword stuffing or the same lines over and over: what the repetition filters exist for."""
    esc = html.escape
    lines: list[str] = []
    if "keywords" in page:
        kws = page["keywords"]
        for i in range(page["lines"]):
            a, b, c = kws[i % len(kws)], kws[(i * 3 + 1) % len(kws)], kws[(i * 5 + 2) % len(kws)]
            lines.append(f"{a.capitalize()} - {b} - {c}. Get {a} today, {b} now!")
    else:
        for _ in range(page["times"]):
            lines.extend(page["repeat"])
    body = "\n".join(f"<p>{esc(line)}</p>" for line in lines)
    links = "".join(f'<a href="/{_slug(k)}.html">{esc(k)}</a> ' for k in page.get("keywords", ["claim now"]) * 3)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(page["title"])}</title>
<meta name="keywords" content="{esc(", ".join(page.get("keywords", ["prize", "winner", "free"])))}">
</head>
<body>
<h1>{esc(page["title"])}</h1>
{body}
<div class="links">{links}</div>
</body>
</html>
"""


def short_html(page: dict) -> str:
    """A page with almost no text: below any minimum-words threshold."""
    esc = html.escape
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(page["title"])}</title>
</head>
<body>
<main><h1>{esc(page["title"])}</h1><p>{esc(page["text"])}</p></main>
</body>
</html>
"""


# ----------------------------------------------------------------------------------------------------------------
# Non-HTML payloads
# ----------------------------------------------------------------------------------------------------------------


def png_bytes(size: int = 16) -> bytes:
    """A valid size x size RGB PNG (a gradient), built with zlib so no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // (size - 1), y * 255 // (size - 1), 128)) for x in range(size))
        for y in range(size)
    )
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    """A one-page PDF 1.4 with a correct xref table, written by hand (no PDF library needed for 1 KB)."""
    text_ops = (
        "BT /F1 18 Tf 72 740 Td (Household budget planner 2022) Tj ET\n"
        "BT /F1 11 Tf 72 710 Td (Write down every regular cost, then look for savings.) Tj ET\n"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text_ops)).encode() + b" >>\nstream\n" + text_ops + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


CSS_TEXT = """/* Tinkerbench main stylesheet */
:root { --ink: #1d2733; --paper: #fbfaf7; --accent: #c2571a; }
body { margin: 0; font: 17px/1.6 Georgia, serif; color: var(--ink); background: var(--paper); }
.topbar { display: flex; align-items: center; gap: 2rem; padding: 0.75rem 1.5rem; border-bottom: 1px solid #ddd; }
.topnav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.guide-main { max-width: 42rem; margin: 2rem auto; }
.guide-body h2 { margin-top: 2rem; font-family: system-ui, sans-serif; }
.sidebar { font-size: 0.9rem; }
@media (max-width: 700px) { .layout { display: block; } .sidebar { display: none; } }
"""

JS_TEXT = """// Orbit Notes night mode: dims the page for reading outside under a dark sky.
(function () {
  var KEY = "orbitnotes-night";
  function apply(on) {
    document.documentElement.classList.toggle("night", on);
    try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) {}
  }
  document.addEventListener("DOMContentLoaded", function () {
    var saved = null;
    try { saved = localStorage.getItem(KEY); } catch (e) {}
    apply(saved === "1");
    var button = document.getElementById("night-toggle");
    if (button) button.addEventListener("click", function () { apply(!document.documentElement.classList.contains("night")); });
  });
})();
"""


# ----------------------------------------------------------------------------------------------------------------
# The crawl plan: which page goes into which WARC file, in crawl order
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class Fetch:
    """One crawled URL: the response payload plus what expected.json says about it."""

    url: str
    payload: bytes
    content_type: str  # HTTP Content-Type header
    payload_type: str  # WARC-Identified-Payload-Type
    category: str  # primary category in expected.json
    lang: str | None = None
    charset_detected: str | None = "UTF-8"
    server: str = "nginx"
    text: str = ""  # the article text, for near-dup bookkeeping
    title: str = ""
    extra: dict = field(default_factory=dict)


def _html_fetch(url: str, page: str, category: str, lang: str | None, charset: str = "utf-8", **kw) -> Fetch:
    declared = "UTF-8" if charset.lower() == "utf-8" else charset
    return Fetch(
        url=url,
        payload=page.encode(charset),
        content_type=f"text/html; charset={declared}",
        payload_type="text/html",
        category=category,
        lang=lang,
        charset_detected=declared,
        **kw,
    )


def _related(site_key: str, key: str, pool: list[dict]) -> list[dict]:
    same = [a for a in pool if a["site"] == site_key and a["key"] != key]
    return same[:3]


def build_plan() -> tuple[list[list[Fetch]], dict]:
    """Every fetch of every WARC file, in crawl order, plus the pair bookkeeping for expected.json."""
    en = {a["key"]: a for a in _web_en.EN_ARTICLES}
    other = {a["key"]: a for a in _web_other.NON_EN_ARTICLES}
    pool = _web_en.EN_ARTICLES

    def en_fetch(key: str, art: dict | None = None, site: str | None = None, category: str = "english") -> Fetch:
        art = art or en[key]
        site = site or art["site"]
        url = f"https://{SITES[site]['domain']}{art['path']}"
        page = article_html(site, art, _related(site, art["key"], pool))
        server = ("nginx", "Apache", "cloudflare", "LiteSpeed")[len(url) % 4]
        return _html_fetch(url, page, category, "en", server=server, text=plain_text(art["body"]), title=art["title"])

    def other_fetch(key: str) -> Fetch:
        art = other[key]
        site = SITES[art["site"]]
        url = f"https://{site['domain']}{art['path']}"
        page = article_html(art["site"], art, [])
        return _html_fetch(
            url, page, "non_english", art["lang"], charset=site.get("charset", "utf-8"), text=plain_text(art["body"])
        )

    # exact duplicate: the same HTML bytes served again under the site's AMP path
    sourdough = en_fetch("sourdough-starter")
    sourdough_amp = Fetch(**{**sourdough.__dict__, "url": sourdough.url.replace(".com/", ".com/amp/", 1), "extra": {}})

    # near duplicate 1: the population wire story republished by another paper with a few words changed
    pop = en["eight-billion"]
    pop_body = pop["body"]
    for old, new in _web_en.EIGHT_BILLION_EDITS:
        if pop_body.count(old) != 1:
            raise ValueError(f"near-dup edit does not match exactly once: {old!r}")
        pop_body = pop_body.replace(old, new)
    pop_copy = {
        **pop,
        "key": "eight-billion-copy",
        "path": "/world/un-world-population-passes-8-billion",
        "title": "World population passes eight billion, UN estimates",
        "author": "Courier wire services",
        "published": "2022-11-16",
        "body": pop_body,
    }
    # near duplicate 2: the heating tips republished with an extra closing section
    heat = en["heating-tips"]
    heat_body = heat["body"].rstrip() + "\n" + _web_en.HEATING_TIPS_NEW_ENDING
    heat_copy = {
        **heat,
        "key": "heating-tips-copy",
        "path": "/money/2022/12/ten-ways-to-cut-your-heating-bill",
        "author": "Brightwater Money desk",
        "published": "2022-12-02",
        "body": heat_body,
    }
    # same URL fetched twice: the midterms explainer before and after the Georgia runoff
    mid = en["us-midterms"]
    mid_v2 = {**mid, "body": _web_en.MIDTERMS_UPDATE + "\n\n" + mid["body"].strip(), "published": "2022-12-07"}

    def wiki_url_fetch() -> Fetch:
        p = _web_other.WIKIPEDIA_URL_PAGE
        return _html_fetch(
            p["url"], wikipedia_html(p), "wikipedia_url", "en", server="mw-web.eqiad.main", text=plain_text(p["body"])
        )

    def special(kind: str, page: dict) -> Fetch:
        render = {"boilerplate": boilerplate_html, "spam": spam_html, "short": short_html}[kind]
        return _html_fetch(page["url"], render(page), kind, "en", server="Apache")

    boiler = {p["key"]: p for p in _web_other.BOILERPLATE_PAGES}
    spam = {p["key"]: p for p in _web_other.SPAM_PAGES}
    short = {p["key"]: p for p in _web_other.SHORT_PAGES}

    def broken_charset_fetch() -> Fetch:
        art = _web_other.BROKEN_CHARSET_ARTICLE
        url = f"https://{SITES[art['site']]['domain']}{art['path']}"
        page = article_html(art["site"], art, [])
        # paragraphs marked LATIN1 are encoded as ISO-8859-1 inside an otherwise UTF-8 page
        payload = b""
        for piece in re.split(r"(<p>LATIN1: .*?</p>)", page):
            if piece.startswith("<p>LATIN1: "):
                payload += ("<p>" + piece[len("<p>LATIN1: ") :]).encode("latin-1")
            else:
                payload += piece.encode("utf-8")
        return Fetch(
            url=url,
            payload=payload,
            content_type="text/html; charset=UTF-8",
            payload_type="text/html",
            category="broken_charset",
            lang="en",
            charset_detected="windows-1252",
            text=plain_text(art["body"]),
            title=art["title"],
        )

    def binary(url: str, data: bytes, content_type: str, payload_type: str) -> Fetch:
        return Fetch(url, data, content_type, payload_type, "non_html", None, None, server="nginx")

    truncated = _web_other.TRUNCATED_ARTICLE
    pop_copy_fetch = en_fetch("eight-billion-copy", art=pop_copy, site="northfield")
    heat_copy_fetch = en_fetch("heating-tips-copy", art=heat_copy, site="brightwater")
    files: list[list[Fetch]] = [
        [
            en_fetch("wc-opening"),
            en_fetch("covid-bivalent-booster"),
            en_fetch("heating-tips"),
            binary(
                "https://www.northfieldcourier.com/static/img/logo-small.png", png_bytes(), "image/png", "image/png"
            ),
            en_fetch("gas-prices-explainer"),
            en_fetch("us-midterms"),
            other_fetch("de-deutschlandticket"),
            en_fetch("wc-saudi-argentina"),
            special("boilerplate", boiler["boilerplate-metro"]),
            en_fetch("artemis-launch"),
            en_fetch("eight-billion"),
            sourdough,
            binary(
                "https://tinkerbench.net/static/css/main.css", CSS_TEXT.encode(), "text/css; charset=utf-8", "text/css"
            ),
            en_fetch("python-venv"),
            special("spam", spam["spam-insurance"]),
            en_fetch("winter-hiking"),
            en_fetch("tool-library"),
            special("short", short["short-coming-soon"]),
            en_fetch("remote-work"),
            en_fetch("cop27"),
        ],
        [
            en_fetch("wc-club-season"),
            en_fetch("covid-omicron-hospitals"),
            other_fetch("fr-france-australie"),
            en_fetch("heat-pumps"),
            sourdough_amp,
            en_fetch("brazil-runoff"),
            en_fetch("wc-watch-party"),
            special("boilerplate", boiler["boilerplate-shop"]),
            en_fetch("council-election"),
            wiki_url_fetch(),
            en_fetch("dart-results"),
            other_fetch("zh-shenzhou-15"),
            pop_copy_fetch,
            en_fetch("jwst-year"),
            binary(
                "https://www.ledgerlane.co.uk/files/household-budget-planner-2022.pdf",
                pdf_bytes(),
                "application/pdf",
                "application/pdf",
            ),
            en_fetch("interest-rates"),
            broken_charset_fetch(),
            special("spam", spam["spam-prize"]),
            other_fetch("ru-winter-boots"),
            en_fetch("weekly-shop"),
            en_fetch("lentil-soup"),
        ],
        [
            en_fetch("spot-the-iss"),
            en_fetch("photo-backups"),
            en_fetch("us-midterms-v2", art=mid_v2),
            en_fetch("slow-wifi"),
            other_fetch("es-tortilla"),
            en_fetch("lisbon-budget"),
            heat_copy_fetch,
            en_fetch("planting-garlic"),
            binary(
                "https://orbitnotes.org/static/js/night-mode.js",
                JS_TEXT.encode(),
                "application/javascript; charset=utf-8",
                "application/javascript",
            ),
            en_fetch("nutrition-labels"),
            special("short", short["short-thank-you"]),
            en_fetch("sleep-matters"),
            en_fetch("repair-cafes"),
            en_fetch("language-learning"),
            en_fetch("orchard-festival", art=truncated, category="truncated"),
        ],
    ]
    pairs = {
        "exact_dup": [[sourdough.url, sourdough_amp.url]],
        "near_dup": [
            [en_fetch("eight-billion").url, pop_copy_fetch.url],
            [en_fetch("heating-tips").url, heat_copy_fetch.url],
        ],
        "same_url_refetch": [en_fetch("us-midterms").url],
    }
    return files, pairs


# ----------------------------------------------------------------------------------------------------------------
# WARC writing
# ----------------------------------------------------------------------------------------------------------------


def gzip_member(data: bytes) -> bytes:
    """One gzip member with a fixed header (mtime 0, OS 255 'unknown'), so the bytes do not depend on the host."""
    comp = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15)
    deflated = comp.compress(data) + comp.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + (b"\x02" if GZIP_LEVEL == 9 else b"\x00") + b"\xff"
    return header + deflated + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def _sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _record_id(kind: str, url: str, date: str, block: bytes) -> str:
    return f"<urn:uuid:{uuid.uuid5(ID_NAMESPACE, f'{kind}|{url}|{date}|{hashlib.sha1(block).hexdigest()}')}>"


def _warc_date(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _http_date(t: datetime) -> str:
    return f"{HTTP_DAYS[t.weekday()]}, {t.day:02d} {HTTP_MONTHS[t.month - 1]} {t.year} {t.strftime('%H:%M:%S')} GMT"


def _ip(host: str) -> str:
    # documentation address ranges (RFC 5737): realistic shape, owned by nobody
    h = hashlib.sha1(host.encode()).digest()
    prefix = ("192.0.2", "198.51.100", "203.0.113")[h[0] % 3]
    return f"{prefix}.{1 + h[1] % 254}"


def _serialize(record, version: str = "1.0") -> bytes:
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    WARCWriter(buf, gzip=False, warc_version=version).write_record(record)
    return buf.getvalue()


def write_warc(name: str, start: datetime, fetches: list[Fetch], truncate_last: bool) -> tuple[bytes, list[dict]]:
    """One CC-style WARC: warcinfo, then request/response/metadata per fetch, each record its own gzip member.

    Returns the file bytes and one dict per response record (offset, url, date, id, ...) for expected.json.
    """
    from warcio.recordbuilder import RecordBuilder
    from warcio.statusandheaders import StatusAndHeaders

    rb = RecordBuilder(warc_version="1.0")
    members: list[bytes] = []
    offset = 0
    responses: list[dict] = []

    def add(record) -> int:
        nonlocal offset
        member = gzip_member(_serialize(record))
        members.append(member)
        at = offset
        offset += len(member)
        return at

    info = (
        f"isPartOf: {SNAPSHOT}\r\n"
        "publisher: olm-data (sample written for tests; layout modelled on Common Crawl)\r\n"
        "description: Hand-written sample pages in the layout of the Common Crawl November/December 2022 crawl\r\n"
        "operator: olm-data make_sample.py\r\n"
        "hostname: sample-crawler-0.olm-data.invalid\r\n"
        "software: olm-data make_sample (records laid out like Apache Nutch / Common Crawl output)\r\n"
        "robots: checked via crawler-commons (simulated)\r\n"
        "format: WARC File Format 1.0\r\n"
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
    ).encode()
    info_date = _warc_date(start)
    info_id = _record_id("warcinfo", name, info_date, info)
    add(
        rb.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_headers_dict={
                "WARC-Type": "warcinfo",
                "WARC-Date": info_date,
                "WARC-Filename": name,
                "WARC-Record-ID": info_id,
                "Content-Type": "application/warc-fields",
                "Content-Length": "0",
            },
        )
    )

    t = start
    for i, f in enumerate(fetches):
        t = t + timedelta(seconds=17 + (i * 37) % 83)
        date = _warc_date(t)
        host = f.url.split("/")[2]
        path = "/" + f.url.split("/", 3)[3] if f.url.count("/") >= 3 else "/"
        ip = _ip(host)
        req_headers = StatusAndHeaders(
            f"{path} HTTP/1.1",
            [
                ("Host", host),
                ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
                ("Accept-Language", "en-US,en;q=0.5"),
                ("User-Agent", "olm-data-sample-bot/1.0 (simulated crawl; layout of CCBot/2.0 requests)"),
                ("Accept-Encoding", "br,gzip"),
                ("Connection", "Keep-Alive"),
            ],
            protocol="GET",
        )
        req_block = req_headers.to_ascii_bytes()
        req_id = _record_id("request", f.url, date, req_block)
        add(
            rb.create_warc_record(
                f.url,
                "request",
                payload=io.BytesIO(b""),
                length=0,
                http_headers=req_headers,
                warc_headers_dict={
                    "WARC-Type": "request",
                    "WARC-Date": date,
                    "WARC-Record-ID": req_id,
                    "Content-Length": "0",
                    "Content-Type": "application/http; msgtype=request",
                    "WARC-Warcinfo-ID": info_id,
                    "WARC-IP-Address": ip,
                    "WARC-Target-URI": f.url,
                },
            )
        )

        compressed_len = len(zlib.compress(f.payload, 6)) + 18
        http_headers = StatusAndHeaders(
            "200 OK",
            [
                ("Date", _http_date(t)),
                ("Server", f.server),
                ("Content-Type", f.content_type),
                ("X-Crawler-Content-Encoding", "gzip"),
                ("X-Crawler-Content-Length", str(compressed_len)),
                ("Content-Length", str(len(f.payload))),
                ("Cache-Control", "max-age=600"),
                ("Vary", "Accept-Encoding"),
            ],
            protocol="HTTP/1.1",
        )
        block = http_headers.to_ascii_bytes() + f.payload
        resp_id = _record_id("response", f.url, date, block)
        at = add(
            rb.create_warc_record(
                f.url,
                "response",
                payload=io.BytesIO(f.payload),
                length=len(f.payload),
                http_headers=http_headers,
                warc_headers_dict={
                    "WARC-Type": "response",
                    "WARC-Date": date,
                    "WARC-Record-ID": resp_id,
                    "Content-Length": "0",
                    "Content-Type": "application/http; msgtype=response",
                    "WARC-Warcinfo-ID": info_id,
                    "WARC-Concurrent-To": req_id,
                    "WARC-IP-Address": ip,
                    "WARC-Target-URI": f.url,
                    "WARC-Payload-Digest": _sha1_b32(f.payload),
                    "WARC-Block-Digest": _sha1_b32(block),
                    "WARC-Identified-Payload-Type": f.payload_type,
                },
            )
        )
        responses.append(
            {
                "file": f"warc/{name}",
                "offset": at,
                "url": f.url,
                "date": date,
                "record_id": resp_id,
                "payload_type": f.payload_type,
                "category": f.category,
                "language": f.lang,
            }
        )

        meta_lines = [f"fetchTimeMs: {40 + int(hashlib.sha1(block).hexdigest()[:4], 16) % 900}"]
        if f.payload_type == "text/html":
            meta_lines.append(f"charset-detected: {f.charset_detected}")
            if f.lang:
                lang_json = json.dumps(
                    {
                        "reliable": True,
                        "text-bytes": len(f.text.encode("utf-8")) if f.text else 60,
                        "languages": [
                            {
                                "code": f.lang,
                                "code-iso-639-3": LANG_ISO3[f.lang],
                                "text-covered": 0.99,
                                "score": 960.0,
                                "name": LANG_NAMES[f.lang],
                            }
                        ],
                    },
                    separators=(",", ":"),
                )
                meta_lines.append(f"languages-cld2: {lang_json}")
        meta = ("\r\n".join(meta_lines) + "\r\n").encode()
        add(
            rb.create_warc_record(
                f.url,
                "metadata",
                payload=io.BytesIO(meta),
                length=len(meta),
                warc_headers_dict={
                    "WARC-Type": "metadata",
                    "WARC-Date": date,
                    "WARC-Record-ID": _record_id("metadata", f.url, date, meta),
                    "Content-Length": "0",
                    "Content-Type": "application/warc-fields",
                    "WARC-Warcinfo-ID": info_id,
                    "WARC-Concurrent-To": resp_id,
                    "WARC-Target-URI": f.url,
                },
            )
        )

    if truncate_last:
        # the LAST response's gzip member is cut in half (the file ends mid-record, like an interrupted download);
        # its metadata record, which followed it, is dropped
        members.pop()
        last = members.pop()
        members.append(last[: len(last) // 2])
        responses[-1]["truncated"] = True
    return b"".join(members), responses


# ----------------------------------------------------------------------------------------------------------------
# Wikipedia multistream dump
# ----------------------------------------------------------------------------------------------------------------

SITEINFO = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.10/ http://www.mediawiki.org/xml/export-0.10.xsd" version="0.10" xml:lang="en">
  <siteinfo>
    <sitename>Wikipedia</sitename>
    <dbname>enwiki</dbname>
    <base>https://en.wikipedia.org/wiki/Main_Page</base>
    <generator>MediaWiki 1.40.0-wmf.10</generator>
    <case>first-letter</case>
    <namespaces>
      <namespace key="-2" case="first-letter">Media</namespace>
      <namespace key="-1" case="first-letter">Special</namespace>
      <namespace key="0" case="first-letter" />
      <namespace key="1" case="first-letter">Talk</namespace>
      <namespace key="2" case="first-letter">User</namespace>
      <namespace key="3" case="first-letter">User talk</namespace>
      <namespace key="4" case="first-letter">Wikipedia</namespace>
      <namespace key="5" case="first-letter">Wikipedia talk</namespace>
      <namespace key="6" case="first-letter">File</namespace>
      <namespace key="7" case="first-letter">File talk</namespace>
      <namespace key="8" case="first-letter">MediaWiki</namespace>
      <namespace key="9" case="first-letter">MediaWiki talk</namespace>
      <namespace key="10" case="first-letter">Template</namespace>
      <namespace key="11" case="first-letter">Template talk</namespace>
      <namespace key="12" case="first-letter">Help</namespace>
      <namespace key="13" case="first-letter">Help talk</namespace>
      <namespace key="14" case="first-letter">Category</namespace>
      <namespace key="15" case="first-letter">Category talk</namespace>
      <namespace key="100" case="first-letter">Portal</namespace>
      <namespace key="101" case="first-letter">Portal talk</namespace>
      <namespace key="118" case="first-letter">Draft</namespace>
      <namespace key="119" case="first-letter">Draft talk</namespace>
      <namespace key="710" case="first-letter">TimedText</namespace>
      <namespace key="711" case="first-letter">TimedText talk</namespace>
      <namespace key="828" case="first-letter">Module</namespace>
      <namespace key="829" case="first-letter">Module talk</namespace>
    </namespaces>
  </siteinfo>
"""


def _base36_sha1(text: str) -> str:
    # MediaWiki stores revision sha1 as base-36, zero-padded to 31 characters
    n = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(31, "0")


def wiki_pages() -> list[dict]:
    """The dump's pages with ids, revision ids and final wikitext (redirect pages get their #REDIRECT text)."""
    pages = []
    page_id, rev_id = 3106, 1_092_117_000
    for i, p in enumerate(_wiki_text.PAGES):
        h = int(hashlib.sha1(p["title"].encode("utf-8")).hexdigest()[:8], 16)
        page_id += 1 + h % 4000
        rev_id += 1 + (h >> 12) % 50_000
        text = p.get("text")
        if "redirect" in p:
            text = (
                f"#REDIRECT [[{p['redirect']}]]\n\n{{{{Redirect category shell|\n{{{{R from alternative name}}}}\n}}}}"
            )
        pages.append({**p, "id": page_id, "rev_id": rev_id, "parent_id": rev_id - 1 - (h % 997) - i, "text": text})
    return pages


def page_xml(p: dict) -> str:
    """One <page> element exactly as MediaWiki's XML export writes it (two-space indentation)."""
    esc_attr = {'"': "&quot;"}
    text = xml_escape(p["text"], esc_attr)
    redirect = f'    <redirect title="{xml_escape(p["redirect"], esc_attr)}" />\n' if "redirect" in p else ""
    return (
        "  <page>\n"
        f"    <title>{xml_escape(p['title'])}</title>\n"
        f"    <ns>{p['ns']}</ns>\n"
        f"    <id>{p['id']}</id>\n"
        f"{redirect}"
        "    <revision>\n"
        f"      <id>{p['rev_id']}</id>\n"
        f"      <parentid>{p['parent_id']}</parentid>\n"
        f"      <timestamp>{p['timestamp']}</timestamp>\n"
        "      <contributor>\n"
        f"        <username>{xml_escape(p['user'])}</username>\n"
        f"        <id>{10_000_000 + int(hashlib.sha1(p['user'].encode()).hexdigest()[:6], 16) % 30_000_000}</id>\n"
        "      </contributor>\n"
        f"      <comment>{xml_escape(p['comment'])}</comment>\n"
        "      <model>wikitext</model>\n"
        "      <format>text/x-wiki</format>\n"
        f'      <text bytes="{len(p["text"].encode("utf-8"))}" xml:space="preserve">{text}</text>\n'
        f"      <sha1>{_base36_sha1(p['text'])}</sha1>\n"
        "    </revision>\n"
        "  </page>\n"
    )


def write_wiki_dump() -> tuple[bytes, bytes, list[dict]]:
    """Multistream layout: siteinfo stream, streams of PAGES_PER_STREAM pages, a closing stream; plus its index."""
    pages = wiki_pages()
    streams = [bz2.compress(SITEINFO.encode("utf-8"), BZ2_LEVEL)]
    index_lines = []
    offset = len(streams[0])
    for start in range(0, len(pages), PAGES_PER_STREAM):
        chunk = pages[start : start + PAGES_PER_STREAM]
        data = bz2.compress("".join(page_xml(p) for p in chunk).encode("utf-8"), BZ2_LEVEL)
        for p in chunk:
            index_lines.append(f"{offset}:{p['id']}:{p['title']}\n")
            p["stream_offset"] = offset
        streams.append(data)
        offset += len(data)
    streams.append(bz2.compress(b"</mediawiki>\n", BZ2_LEVEL))
    index = bz2.compress("".join(index_lines).encode("utf-8"), BZ2_LEVEL)
    return b"".join(streams), index, pages


# ----------------------------------------------------------------------------------------------------------------
# expected.json, README.md, main
# ----------------------------------------------------------------------------------------------------------------


def word_shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Lowercased word n-grams, the unit MinHash dedup compares (datatrove's default is n=5)."""
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def jaccard(a: str, b: str) -> float:
    """Jaccard similarity of the word 5-gram sets of two texts."""
    sa, sb = word_shingles(a), word_shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


REASONS = {
    "english": "English article that should pass language ID and the OLM quality filters",
    "non_english": "{lang} article: language ID must not label it English",
    "boilerplate": "two sentences of content inside a huge nav, cookie banner, promos and footer (extraction test)",
    "spam": "spam: keyword stuffing / the same lines repeated (repetition filters)",
    "short": "a few words only (minimum-words filter)",
    "wikipedia_url": "an en.wikipedia.org/wiki/ page: dropped by URL because Wikipedia is added from the dump",
    "non_html": "not HTML ({payload_type}): the reader must skip it",
    "broken_charset": "declares UTF-8 but two paragraphs are ISO-8859-1 bytes (invalid UTF-8)",
    "truncated": "last record of the file, cut mid-gzip-member: the file ends inside this response"
    " (warcio yields it without error, with a body shorter than its Content-Length)",
}


def build_expected(files: list[list[Fetch]], pairs: dict, responses: list[dict], wiki: list[dict]) -> dict:
    """Machine-readable list of what the sample contains, for tests of other steps."""
    by_url = {}
    for fetches in files:
        for f in fetches:
            by_url.setdefault(f.url, f)
    cats: dict[str, list[str]] = {k: [] for k in REASONS if k != "non_english"}
    non_english: dict[str, list[str]] = {}
    for r in responses:
        if r["category"] == "non_english":
            non_english.setdefault(r["language"], []).append(r["url"])
        else:
            cats[r["category"]].append(r["url"])
    near = pairs["near_dup"]
    texts = {}
    for fetches in files:
        for f in fetches:
            texts[f.url] = texts.get(f.url, f.text)  # first fetch of a URL
    out: dict = {
        "snapshot": SNAPSHOT,
        "warc_files": [f"warc/{n}" for n in WARC_NAMES],
        "responses": responses,
        "non_english": {k: sorted(set(v)) for k, v in sorted(non_english.items())},
        "exact_dup": pairs["exact_dup"],
        "near_dup": near,
        "near_dup_jaccard_5gram": [round(jaccard(texts[a], texts[b]), 4) for a, b in near],
        "same_url_refetch": pairs["same_url_refetch"],
        "wikipedia": {
            "dump": f"wikipedia/{WIKI_DUMP_NAME}",
            "index": f"wikipedia/{WIKI_INDEX_NAME}",
            "articles": [{"id": p["id"], "title": p["title"]} for p in wiki if p["ns"] == 0 and "redirect" not in p],
            "redirects": [
                {"id": p["id"], "title": p["title"], "target": p["redirect"]} for p in wiki if "redirect" in p
            ],
            "other_namespaces": [{"id": p["id"], "ns": p["ns"], "title": p["title"]} for p in wiki if p["ns"] != 0],
        },
    }
    for k, v in cats.items():
        out[k] = sorted(set(v))
    return out


def build_readme(expected: dict, files: list[list[Fetch]], sizes: dict[str, int]) -> str:
    """data/README.md: what each file is and why each special record is there."""
    lines = [
        "# olm-data sample data",
        "",
        "Generated by `python -m olm_data.samples.make_sample`; do not edit by hand (a test regenerates these files",
        "and compares bytes). All text was written for this project. The WARCs imitate the layout of Common Crawl",
        f"{SNAPSHOT} WARC files (warcinfo, then request/response/metadata per URL, one gzip member per record),",
        "but no record comes from a real crawl: hosts resolve to documentation IP ranges and the crawler is simulated.",
        "",
        "Machine-readable version of this page: `expected.json` (categories of URLs, record offsets, wiki page ids).",
        "In Python: `from olm_data import samples`; `samples.warc_files()`, `samples.wikipedia_dump()`,",
        "`samples.wikipedia_index()`, `samples.expected()`.",
        "",
        f"The snapshot name {SNAPSHOT} is in each file name and in each warcinfo record (`isPartOf`); the files do",
        "not sit under a `crawl-data/<snapshot>/` path, so readers that infer the snapshot from the path alone find none.",
        "",
        "## Files",
        "",
        "| file | bytes | what |",
        "|---|---:|---|",
    ]
    for i, name in enumerate(WARC_NAMES):
        n = len(files[i])
        note = f"warcinfo + {n} fetches (request, response, metadata each)"
        if i == len(WARC_NAMES) - 1:
            note += "; **truncated**: ends in the middle of the last response's gzip member"
        lines.append(f"| `warc/{name}` | {sizes[f'warc/{name}']} | {note} |")
    wiki = expected["wikipedia"]
    n_pages = len(wiki["articles"]) + len(wiki["redirects"]) + len([p for p in wiki["other_namespaces"]])
    lines += [
        f"| `wikipedia/{WIKI_DUMP_NAME}` | {sizes['wikipedia/' + WIKI_DUMP_NAME]} | MediaWiki export 0.10, multistream bz2:"
        f" siteinfo stream, {n_pages} pages in streams of {PAGES_PER_STREAM}, closing `</mediawiki>` stream |",
        f"| `wikipedia/{WIKI_INDEX_NAME}` | {sizes['wikipedia/' + WIKI_INDEX_NAME]} | bz2 text, one line per page:"
        " `offset_of_its_stream:page_id:title` |",
        "| `expected.json` | - | categories of every response URL, response offsets/ids/dates, wiki page lists |",
        "",
        "## Categories (every response record is in exactly one primary category)",
        "",
        "- `english`: clean English articles; they should survive extraction, the URL filter, language ID",
        "  (en, score >= 0.80) and the OLM/BigScience quality filters. Dedup then removes one side of each",
        "  `exact_dup` and `near_dup` pair and one fetch of `same_url_refetch`.",
        "- `non_english` (by language), `boilerplate`, `spam`, `short`, `wikipedia_url`, `non_html`,",
        "  `broken_charset`, `truncated`: pages that some step must drop or handle; see the table below.",
        "- `exact_dup`, `near_dup`, `same_url_refetch` are pairs/URLs drawn from `english`.",
        "",
        "## Special records",
        "",
        "| URL | file | why it is there |",
        "|---|---|---|",
    ]
    for r in expected["responses"]:
        if r["category"] == "english":
            continue
        f = next(x for fetches in files for x in fetches if x.url == r["url"])
        reason = REASONS[r["category"]].format(
            lang={"de": "German", "fr": "French", "es": "Spanish", "zh": "Chinese", "ru": "Russian"}.get(
                r["language"], ""
            ),
            payload_type=f.payload_type,
        )
        if r["url"].startswith("https://zimnik-blog.ru"):
            reason += "; served as windows-1251 (declared in HTTP and meta), not UTF-8"
        lines.append(f"| {r['url']} | {Path(r['file']).name} | {reason} |")
    file_of = {r["url"]: Path(r["file"]).name for r in expected["responses"]}  # the last fetch of each URL
    for a, b in expected["exact_dup"]:
        lines.append(f"| {b} | {file_of[b]} | exact duplicate: the same HTML bytes as {a} |")
    for (a, b), j in zip(expected["near_dup"], expected["near_dup_jaccard_5gram"], strict=True):
        lines.append(f"| {b} | {file_of[b]} | near duplicate of {a} (word 5-gram Jaccard of the article text {j}) |")
    for u in expected["same_url_refetch"]:
        fetches = [r for r in expected["responses"] if r["url"] == u]
        when = ", ".join(f"{r['date']} in {Path(r['file']).name}" for r in fetches)
        lines.append(f"| {u} | | fetched twice ({when}); the later copy starts with an update paragraph |")
    lines += ["", f"## English articles ({len(expected['english'])} URLs)", ""]
    titles = {x.url: x.title for fetches in files for x in fetches}
    for u in expected["english"]:
        lines.append(f"- {u} ({titles[u]})")
    lines += [
        "",
        "## Wikipedia dump",
        "",
        f"{len(wiki['articles'])} articles (namespace 0) with infoboxes, `{{{{cite ...}}}}` and `{{{{convert ...}}}}`",
        "templates, named and self-closing `<ref>` tags, wikitables, piped links, `[[File:...]]` images, categories,",
        f"`__NOTOC__`, headings and lists; {len(wiki['redirects'])} redirects; and pages in other namespaces:",
        "",
    ]
    for p in wiki["other_namespaces"]:
        lines.append(f"- ns {p['ns']}: {p['title']} (id {p['id']})")
    lines += ["", "Redirects:", ""]
    for p in wiki["redirects"]:
        lines.append(f"- {p['title']} -> {p['target']} (id {p['id']})")
    return "\n".join(lines) + "\n"


def build(output: Path) -> dict[str, int]:
    """Write every sample file under ``output``; returns {relative path: size in bytes}."""
    files, pairs = build_plan()
    sizes: dict[str, int] = {}
    blobs: dict[str, bytes] = {}
    responses: list[dict] = []
    for i, (name, fetches) in enumerate(zip(WARC_NAMES, files, strict=True)):
        data, resp = write_warc(name, FILE_START[i], fetches, truncate_last=(i == len(WARC_NAMES) - 1))
        blobs[f"warc/{name}"] = data
        responses.extend(resp)
    dump, index, wiki = write_wiki_dump()
    blobs[f"wikipedia/{WIKI_DUMP_NAME}"] = dump
    blobs[f"wikipedia/{WIKI_INDEX_NAME}"] = index
    sizes.update({k: len(v) for k, v in blobs.items()})
    expected = build_expected(files, pairs, responses, wiki)
    blobs["expected.json"] = (json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )
    blobs["README.md"] = build_readme(expected, files, sizes).encode("utf-8")
    for rel, data in sorted(blobs.items()):
        path = output / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sizes[rel] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> int:
    """CLI entry: regenerate the sample into --output (default: the package data folder)."""
    parser = argparse.ArgumentParser(prog="python -m olm_data.samples.make_sample", description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=default_output(), help="folder to write (default: %(default)s)")
    args = parser.parse_args(argv)
    sizes = build(args.output)
    for rel, n in sorted(sizes.items()):
        print(f"{n:>9}  {rel}")
    print(f"{sum(sizes.values()):>9}  total in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
