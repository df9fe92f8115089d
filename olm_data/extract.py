"""HTML -> text extraction steps that fail loudly instead of silently losing every document.

The trap this guards against (seen with datatrove's own extractor): the extraction library runs in a sandbox
subprocess, so when it cannot even be imported (old trafilatura + lxml 6: `lxml.html.clean` is gone) every
document is counted as a "timeout", the task exits 0, and all data is lost without an error. Here the library
is imported and tried once in the parent process when the step starts (a broken install fails at once, with
the reason), every drop is counted under its reason, and a task that turns N > 0 documents into 0 raises
`EmptyOutputError` naming the counts.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
from datatrove.utils.logging import logger
from datatrove.utils.typeshelper import StatHints

from olm_data.errors import EmptyOutputError, UsageError

DEFAULT_TIMEOUT = 5.0
#: why a document was dropped; each is a stat of the step
DROP_REASONS = ("sandbox_failed", "timeout", "broken_process", "extract_error", "empty_output")
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


class LoudExtractor(BaseExtractor):
    """Base of olm-data's extractors: per-reason drop counts, a parent-process install check, loud failure.

    Subclasses implement `extract(html) -> str | None` (run in datatrove's sandbox subprocess, with a timeout per
    document) and may extend `check_install()`. Metadata is kept; the text is replaced by the extraction.

    Stats: `total`, `extracted` (= `forwarded`), `dropped`, and one per reason in `DROP_REASONS`:
    `sandbox_failed` (the subprocess died before it could extract: the import trap; after 3 in a row with
    nothing extracted the task raises at once instead of waiting `timeout` s per document), `timeout`
    (the document took longer than `timeout` s), `broken_process` (the sandbox died, e.g. out of memory),
    `extract_error` (the library raised), `empty_output` (it found no main text).
    """

    type = "🛢 - EXTRAC"
    #: module imported in the parent process by `check_install`
    library: str = ""
    #: what to tell the user when that import fails
    install_hint: str = ""
    fail_on_empty_output: bool = True

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
        with ExtractorSandbox(timeout=self.timeout, warmup_text="") as sandbox:
            for doc in data:
                self.stat_update(StatHints.total)
                counts["total"] += 1
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

    def _extract_in(self, sandbox: ExtractorSandbox, html: str) -> tuple[str | None, str, str | None]:
        """(drop reason or None, detail, text) for one document."""
        try:
            text = sandbox.process_document(html, self._extract_or_error)
        except TimeoutError as e:
            if "initialize" in str(e):  # the subprocess died or hung before it could extract anything
                return "sandbox_failed", f"the extraction subprocess did not start ({e})", None
            return "timeout", f"over {self.timeout} s", None
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

    Note: trafilatura's `deduplicate` keeps a cache of recent paragraphs in the extraction subprocess, so within
    a task a second copy of an identical page comes out empty (counted `empty_output`): output depends on the
    order of documents, which is fixed for a given input.

    Args:
        favour_precision: prefer less text but less boilerplate (OLM and FineWeb use True).
        timeout: seconds allowed per document before it is dropped as `timeout`. 5 s, not datatrove's 1 s: the
            650 KB iana.org/protocols page takes ~1.8 s on a busy core.
        deduplicate: trafilatura's `deduplicate` (drops paragraphs repeated across recent documents).
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
        deduplicate: bool = True,
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
