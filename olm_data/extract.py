"""HTML -> text extraction steps that fail loudly instead of silently losing every document.

The trap this guards against (seen with datatrove's own extractor): the extraction library runs in a sandbox
subprocess, so when it cannot even be imported (old trafilatura + lxml 6: `lxml.html.clean` is gone) every
document is counted as a "timeout", the task exits 0, and all data is lost without an error. Here the library
is imported and tried once in the parent process when the step starts (a broken install fails at once, with
the reason), every drop is counted under its reason, and a task that turns N > 0 documents into 0 raises
`EmptyOutputError` naming the counts.

Two extractors share that base, its drop reasons and its output (text replaced, metadata kept), chosen with
`make_extractor(name)` / `--extractor`: `TrafilaturaExtractor` (the default, OLM's choice) and
`ResiliparseExtractor` (~20x faster per core, keeps less of some pages: see `benchmarks/extract.py`).

The per-document limit is CPU time, not wall time (`CpuTimeSandbox`): on a busy node a wall-clock limit drops a
different handful of pages on every run (at load 20, 10 of 2,000), so the same inputs stopped giving the same bytes.
"""

from __future__ import annotations

import os
import platform
import re
import time
from abc import abstractmethod
from collections import Counter
from multiprocessing import Pipe, Process

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from olm_data.errors import EmptyOutputError, UsageError
from olm_data.readers.warc import CC_EXTRACTED_TEXT

DEFAULT_TIMEOUT = 5.0
#: the wall-clock ceiling per document is this many times the CPU limit, and at least `MIN_WALL_TIMEOUT` seconds
WALL_TIMEOUT_FACTOR = 30
MIN_WALL_TIMEOUT = 60.0
#: why a document was dropped; each is a stat of the step
DROP_REASONS = ("sandbox_failed", "timeout", "stalled", "broken_process", "extract_error", "empty_output")
#: consecutive sandbox start failures, with nothing extracted yet, after which the task stops at once
MAX_SANDBOX_FAILURES = 3

# A small article-shaped page: extracting it in the parent process proves the library imports and works.
SMOKE_TEST_PAGE = """<!DOCTYPE html><html><head><title>Smoke test</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>The river town</h1>
<p>The old river town sits where two valleys meet, and for three hundred years its mills ground the grain of
every farm upstream. The stone bridge that carried the carts still stands beside the new road.</p>
<p>Today the mills are museums and small workshops. Visitors walk the towpath in the morning, eat lunch at the
market, and watch the water rise over the weir in the spring floods that the town has learned to live with.</p>
</article><footer>Copyright 2022. All rights reserved.</footer></body></html>"""
SMOKE_TEST_SENTENCE = "The old river town sits where two valleys meet"


class StalledError(TimeoutError):
    """The sandbox used little CPU but passed the wall-clock ceiling (hung, or starved of CPU for minutes)."""


class SandboxStartError(TimeoutError):
    """The extraction subprocess died or hung before it could extract anything."""


def child_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` so far, from /proc (None where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # after the command name: state is field 3 of stat(5), utime 14 and stime 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuTimeSandbox(ExtractorSandbox):
    """datatrove's ExtractorSandbox with a per-document limit in CPU seconds of the subprocess, not wall seconds.

    A wall-clock limit lets the machine's load decide the output: a page that needs 1 s of CPU takes 5 s on a
    node with 5 runnable processes per core, so a busy run drops pages a quiet run keeps. The CPU time a page
    costs barely depends on the load, so here a page is dropped (`TimeoutError`) when its extraction used more
    than `cpu_timeout` CPU seconds, whether the parent saw that while waiting (it then kills the subprocess) or
    learns it from the child's own count once the page is done (the rule does not depend on when the parent
    looked). Trade: a page near the limit can still fall either side (CPU time varies by a few percent with cache
    contention), and a subprocess that hangs without using CPU is only caught by the wall ceiling `wall_timeout`
    (`StalledError`), which a page under the CPU limit reaches only when it gets less than
    `cpu_timeout / wall_timeout` of a core (1/30 by default). Where there is no /proc (macOS) the parent
    cannot read the running child's CPU time and waits up to `wall_timeout`; the finished page's CPU count
    still decides.

    Args:
        cpu_timeout: CPU seconds allowed per document.
        wall_timeout: wall seconds allowed per document, and for the subprocess to start.
    """

    def __init__(self, cpu_timeout: float, wall_timeout: float) -> None:
        super().__init__(timeout=wall_timeout, warmup_text="")
        self.cpu_timeout = cpu_timeout
        self.cpu_mark = 0.0  # the child's CPU seconds when it finished its previous document

    def _worker(self, conn, extract_fn):
        # datatrove's loop, but every answer carries the child's own CPU count (no /proc read on the fast path)
        if platform.system() == "Linux":
            self.set_oom_score_adj(1000)
        extract_fn(self.warmup_text)
        conn.send(time.process_time())  # ready
        while True:
            try:
                text = conn.recv()
            except EOFError:
                break
            result = extract_fn(text)
            conn.send((result, time.process_time()))

    def _ensure_process(self, extract_fn):
        if self.process is not None and self.process.is_alive():
            return
        if self.process is not None:
            self._cleanup_process()
        self.parent_conn, self.child_conn = Pipe()
        self.process = Process(target=self._worker, args=(self.child_conn, extract_fn), daemon=True)
        self.process.start()
        self.all_processes.append(self.process)
        deadline = time.monotonic() + self.timeout
        # short polls: a child that dies at start is noticed at once, not after the (long) wall ceiling
        while not self.parent_conn.poll(0.05):
            if not self.process.is_alive() or time.monotonic() >= deadline:
                self._cleanup_process()
                raise SandboxStartError(f"Worker process failed to initialize (within {self.timeout} s)")
        self.cpu_mark = self.parent_conn.recv()

    def process_document(self, text, extract_fn):
        """The extraction of `text`; TimeoutError over `cpu_timeout` CPU seconds, StalledError over the ceiling."""
        self._ensure_process(extract_fn)
        try:
            self.parent_conn.send(text)
            deadline = time.monotonic() + self.timeout
            used = 0.0
            while True:
                # CPU time grows at most as fast as wall time: nothing to check before cpu_timeout - used seconds
                wait = min(max(self.cpu_timeout - used, 0.01) + 0.01, max(deadline - time.monotonic(), 0), 5.0)
                if self.parent_conn.poll(wait):
                    result, cpu_total = self.parent_conn.recv()
                    break
                if not self.process.is_alive():
                    raise EOFError("Child process died (probably OOM-killed)")
                cpu = child_cpu_seconds(self.process.pid)
                used = 0.0 if cpu is None else cpu - self.cpu_mark
                if used > self.cpu_timeout:
                    raise TimeoutError(f"over {self.cpu_timeout} s of CPU")
                if time.monotonic() >= deadline:
                    raise StalledError(f"{used:.1f} s of CPU in {self.timeout} s")
        except (TimeoutError, EOFError):
            self._cleanup_process()
            raise
        used, self.cpu_mark = cpu_total - self.cpu_mark, cpu_total
        if used > self.cpu_timeout:  # finished before the parent looked: the same rule, the process is reused
            raise TimeoutError(f"over {self.cpu_timeout} s of CPU ({used:.2f} s)")
        if isinstance(result, Exception):
            raise result
        return result


class LoudExtractor(BaseExtractor):
    """Base of olm-data's extractors: per-reason drop counts, a parent-process install check, loud failure.

    Subclasses implement `extract(html) -> str | None` (run in a sandbox subprocess, `CpuTimeSandbox`, with a
    limit per document in CPU seconds so that the machine's load does not decide which pages are dropped) and may
    extend `check_install()`. Metadata is kept; the text is replaced by the extraction.

    Documents that are already text (`content_type` text/plain: WET `conversion` records, Common Crawl's own
    extraction) pass through unchanged and are counted as `already_text`.

    Stats: `total`, `extracted` (= `forwarded`), `dropped`, and one per reason in `DROP_REASONS`:
    `sandbox_failed` (the subprocess died before it could extract: the import trap; after 3 in a row with
    nothing extracted the task raises at once), `timeout` (the extraction used more than `timeout` CPU seconds),
    `stalled` (under that CPU but still running after `wall_ceiling()` wall seconds: hung, or starved of CPU),
    `broken_process` (the sandbox died, e.g. out of memory),
    `extract_error` (the library raised), `empty_output` (it found no main text).
    """

    type = "🛢 - EXTRAC"
    #: module imported in the parent process by `check_install`
    library: str = ""
    #: what to tell the user when that import fails
    install_hint: str = ""
    fail_on_empty_output: bool = True
    #: wall-clock ceiling per document in seconds (None: `WALL_TIMEOUT_FACTOR` x `timeout`, >= `MIN_WALL_TIMEOUT`)
    wall_timeout: float | None = None

    def check_install(self) -> None:
        """Imports the library and extracts a known page in this process; a broken install raises UsageError."""
        import importlib

        try:
            importlib.import_module(self.library)
        except Exception as e:  # ImportError, or whatever a half-broken dependency raises at import time
            raise UsageError(
                f"{self.name}: cannot import {self.library} ({type(e).__name__}: {e}); {self.install_hint}"
            ) from e
        try:
            text = self.smoke_test_extract(SMOKE_TEST_PAGE)
        except Exception as e:
            raise UsageError(
                f"{self.name}: {self.library} fails on a plain test page ({type(e).__name__}: {e}); "
                f"check the extractor options or {self.install_hint}"
            ) from e
        if not text or SMOKE_TEST_SENTENCE not in text:
            raise UsageError(
                f"{self.name}: {self.library} extracts nothing from a plain test page ({text!r:.80}); "
                f"check the extractor options or {self.install_hint}"
            )

    def smoke_test_extract(self, html: str) -> str | None:
        """`extract` as the install check calls it; override to switch off state kept across documents."""
        return self.extract(html)

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Extracts each document's text in the sandbox; raises EmptyOutputError if all of them are dropped."""
        self.check_install()
        counts: Counter[str] = Counter()
        first_detail: dict[str, str] = {}
        streak = 0
        with CpuTimeSandbox(cpu_timeout=self.timeout, wall_timeout=self.wall_ceiling()) as sandbox:
            for doc in data:
                self.stat_update(StatHints.total)
                counts["total"] += 1
                if doc.metadata.get("content_type") == CC_EXTRACTED_TEXT:  # WET: Common Crawl extracted it already
                    counts["extracted"] += 1
                    self.stat_update("already_text", StatHints.forwarded)
                    self.update_doc_stats(doc)
                    yield doc
                    continue
                with self.track_time():
                    reason, detail, text = self._extract_in(sandbox, doc.text)
                streak = streak + 1 if reason == "sandbox_failed" else 0
                if reason is not None:
                    counts[reason] += 1
                    self.stat_update(reason, StatHints.dropped)
                    if reason not in first_detail:
                        first_detail[reason] = detail
                        logger.warning(
                            f"{self.name}: dropped {doc.id} {doc.metadata.get('url', '')}: {reason}: {detail} "
                            "(further ones only counted)"
                        )
                    if streak >= MAX_SANDBOX_FAILURES and counts["extracted"] == 0:
                        # every further document would wait `timeout` seconds for nothing: stop now
                        raise EmptyOutputError(self._failure_message(counts, first_detail, rank))
                    continue
                doc.text = text
                counts["extracted"] += 1
                self.stat_update("extracted", StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc
        if self.fail_on_empty_output and counts["total"] > 0 and counts["extracted"] == 0:
            raise EmptyOutputError(self._failure_message(counts, first_detail, rank))

    def wall_ceiling(self) -> float:
        """Wall seconds after which a document that is still under its CPU limit is dropped as `stalled`."""
        return self.wall_timeout or max(MIN_WALL_TIMEOUT, WALL_TIMEOUT_FACTOR * self.timeout)

    def _extract_in(self, sandbox: ExtractorSandbox, html: str) -> tuple[str | None, str, str | None]:
        """(drop reason or None, detail, text) for one document."""
        try:
            text = sandbox.process_document(html, self._extract_or_error)
        except TimeoutError as e:
            if isinstance(e, SandboxStartError):
                return "sandbox_failed", f"the extraction subprocess did not start ({e})", None
            if isinstance(e, StalledError):
                return "stalled", f"still running after {sandbox.timeout} s of wall time ({e})", None
            return "timeout", str(e), None
        except EOFError:
            return "broken_process", "the extraction subprocess died (out of memory?)", None
        except Exception as e:
            return "extract_error", str(e), None
        if not (text and text.strip()):
            return "empty_output", "no main text found", None
        return None, "", text

    def _extract_or_error(self, html: str) -> str | None | Exception:
        # Runs in the sandbox subprocess. datatrove's worker loop does not catch exceptions: one would kill the
        # subprocess (counted as a dead process, then a restart per document). Returned, it is raised in the parent.
        try:
            return self.extract(html)
        except Exception as e:
            return RuntimeError(f"{type(e).__name__}: {e}")

    def _failure_message(self, counts: Counter[str], first_detail: dict[str, str], rank: int) -> str:
        per_reason = ", ".join(f"{r}={counts[r]}" for r in DROP_REASONS)
        main = max(first_detail, key=lambda r: counts[r]) if first_detail else None
        first = f" First {main}: {first_detail[main]}." if main else ""
        return (
            f"{self.name} (task {rank}): {counts['total']} input documents, 0 extracted ({per_reason}).{first} "
            f"All timeouts or errors usually mean a broken install: {self.install_hint}"
        )

    @abstractmethod
    def extract(self, text: str) -> str | None:
        """Main text of one HTML page (None or "" when there is none)."""


class TrafilaturaExtractor(LoudExtractor, Trafilatura):
    """trafilatura 2.x main-text extraction (datatrove's `Trafilatura`), with loud failure and drop reasons.

    trafilatura's `deduplicate` is off by default (datatrove's default is on): it keeps a cache of recent
    paragraphs in the extraction subprocess, so a second copy of a page within a task comes out empty (counted
    `empty_output`) and the output would depend on how the input is sharded into tasks.

    Args:
        favour_precision: prefer less text but less boilerplate (OLM and FineWeb use True).
        timeout: CPU seconds allowed per document before it is dropped as `timeout` (CPU time of the extraction
            subprocess, not wall time, so load does not change the output). 5 s, not datatrove's 1 s: the
            650 KB iana.org/protocols page takes ~1.8 s on a busy core.
        deduplicate: trafilatura's `deduplicate` (drops paragraphs repeated across recent documents of the task).
        fail_on_empty_output: raise EmptyOutputError when a task with input produces no output.
        **kwargs: passed to `trafilatura.extract` (e.g. `include_tables=False`).
    """

    name = "⛏ Trafilatura (olm)"
    library = "trafilatura"
    install_hint = "pip install 'trafilatura>=2.0' lxml_html_clean (trafilatura<1.12 breaks with lxml 6)"

    def __init__(
        self,
        favour_precision: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        deduplicate: bool = False,
        fail_on_empty_output: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(favour_precision=favour_precision, timeout=timeout, deduplicate=deduplicate, **kwargs)
        self.fail_on_empty_output = fail_on_empty_output

    def extract(self, text: str) -> str | None:
        """Main text of one HTML page, through datatrove's trafilatura call."""
        return Trafilatura.extract(self, text)

    def smoke_test_extract(self, html: str) -> str | None:
        """Same options but no cross-document deduplication: the test page must not fill trafilatura's cache
        (extracted repeatedly it would be "seen before" and come out empty)."""
        from trafilatura import extract

        return extract(
            html, favor_precision=self.favour_precision, include_comments=False, deduplicate=False, **self.kwargs
        )


#: CSS selectors resiliparse skips by default: navigation its main-content heuristics keep (tables of contents,
#: prev/next bars, breadcrumbs) in the markup of the generators that write much of the web's documentation
#: (DocBook XSL: `.navheader`, `.navfooter`, `.toc`; MediaWiki: `#toc`; HTML5 / ARIA: `nav`, role=navigation).
RESILIPARSE_SKIP_ELEMENTS = (
    "nav",
    "[role=navigation]",
    ".navheader",
    ".navfooter",
    ".toc",
    "#toc",
    ".breadcrumb",
    ".breadcrumbs",
)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _tidy_cells(line: str) -> str:
    """One tab between the cells of a table row: a run of spaces and tabs holding a tab becomes one tab."""
    return "\t".join(cell for cell in (part.strip(" ") for part in line.split("\t")) if cell)


def tidy_lines(text: str) -> str:
    """Lines stripped, blank lines dropped, one tab between table cells, no control characters: trafilatura's
    layout (one paragraph per line) without the indentation and source whitespace resiliparse copies.

    Cells are tidied per line, only on lines with a tab: the regex `[ \t]*\t[ \t]*` over the whole text tried a
    match at every space and took 2.5x as long (0.38 vs 0.15 ms on a Debian Reference page), same output."""
    lines = filter(None, map(str.strip, _CONTROL.sub("", text).splitlines()))
    return "\n".join(_tidy_cells(line) if "\t" in line else line for line in lines)


class ResiliparseExtractor(LoudExtractor):
    """resiliparse main-text extraction (`extract_plain_text(main_content=True)`): ~20x trafilatura's speed.

    Options are set for output close to trafilatura's: no link targets, alt texts, form fields, noscript
    content or comment sections; one paragraph per line (`tidy_lines`); list items without bullets (trafilatura
    writes "- ", resiliparse "•" / "1."); and the navigation in `RESILIPARSE_SKIP_ELEMENTS` skipped.
    Differences that remain (measured by `benchmarks/extract.py`): it keeps headings and some short
    boilerplate lines; it drops `<ul>` lists fewer than 3 levels below `<body>` (its rule for site menus) and,
    on shallow documentation markup, whole sections: it keeps ~99% of trafilatura's words on iana.org pages but
    ~65% on Debian Reference pages; and it writes a table row as tab-separated cells where trafilatura writes
    "| a | b |".

    Sandbox (measured, then chosen): like trafilatura it runs in datatrove's extraction subprocess with a
    per-document timeout. The round trip (the HTML pickled through a pipe and back) costs ~0.4 ms of CPU per
    page (0.17 ms here, 0.23 ms more in the subprocess): ~25% of resiliparse's own ~1.6 ms on the 27 KB pages
    of `benchmarks/pipeline.py`, ~9% of the end-to-end run. We keep it because
    resiliparse's main-content pass is superlinear in nesting depth (20,000 nested <div>s take ~12 s) inside
    native code that no Python timer can interrupt, and a native crash in-process would kill the task; in the
    subprocess both become a counted `timeout` or `broken_process` and the task goes on. Cheaper round trips were
    measured and not kept (2026-11, whole Debian Reference pages, 4.58 ms in-process, 4.99 in this sandbox): a batch
    of pages per message is slower (5.05-5.21: unpickling a multi-MB message costs more than the context switches
    it saves), raw UTF-8 over `os.pipe` saves ~4%, a fork per batch costs 16% more; the UTF-8 encode in this
    process and decode in the other (~3%) are the floor of any subprocess.

    Args:
        main_content: resiliparse's main-content heuristics (False: all visible text).
        list_bullets: write "•" / "1." before list items.
        skip_elements: CSS selectors of elements to leave out.
        timeout: CPU seconds allowed per document before it is dropped as `timeout`.
        fail_on_empty_output: raise EmptyOutputError when a task with input produces no output.
        **kwargs: passed to `extract_plain_text` (e.g. `post_meta=False`, `preserve_formatting=False`).
    """

    name = "⛏ Resiliparse (olm)"
    library = "resiliparse.extract.html2text"
    install_hint = "pip install 'resiliparse>=2.0'"

    def __init__(
        self,
        main_content: bool = True,
        list_bullets: bool = False,
        skip_elements: tuple[str, ...] | list[str] = RESILIPARSE_SKIP_ELEMENTS,
        timeout: float = DEFAULT_TIMEOUT,
        fail_on_empty_output: bool = True,
        **kwargs,
    ) -> None:
        super().__init__(timeout=timeout)
        self.options = {
            "preserve_formatting": True,
            "main_content": main_content,
            "list_bullets": list_bullets,
            "alt_texts": False,
            "links": False,
            "form_fields": False,
            "noscript": False,
            "comments": False,
            "skip_elements": list(skip_elements) or None,
            **kwargs,
        }
        self.fail_on_empty_output = fail_on_empty_output

    def extract(self, text: str) -> str | None:
        """Main text of one HTML page, one paragraph per line."""
        from resiliparse.extract.html2text import extract_plain_text

        try:
            return tidy_lines(extract_plain_text(text, **self.options))
        except TypeError:
            if not isinstance(text, str):
                raise
            # resiliparse rejects a str it cannot encode to UTF-8 (a lone surrogate) with this TypeError
            text = text.encode("utf-8", "replace").decode("utf-8")
            return tidy_lines(extract_plain_text(text, **self.options))


#: `--extractor` choices: name -> step class (trafilatura is the product default)
EXTRACTORS: dict[str, type[LoudExtractor]] = {"trafilatura": TrafilaturaExtractor, "resiliparse": ResiliparseExtractor}


def make_extractor(name: str, **kwargs) -> LoudExtractor:
    """The extraction step called `name` ("trafilatura" or "resiliparse"), built with `kwargs`.

    Both defaults are what the pipelines use (trafilatura: favour_precision, no cross-document dedup); pass only
    options of the chosen extractor.
    """
    if name not in EXTRACTORS:
        raise UsageError(f"unknown extractor {name!r}; choose one of: {', '.join(EXTRACTORS)}")
    return EXTRACTORS[name](**kwargs)
