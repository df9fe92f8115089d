"""Token ids of many documents at once, exactly as the tokenizer would encode them, several times faster."""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer


class BatchEncoder:
    """Token ids of many documents at once, exactly as `tok.encode(text, add_special_tokens=False).ids`.

    Why not just `tok.encode_batch`: it reaches ~0.75 M tokens per CPU second, short of the >= 2 M tokens/s on
    2 cores the packer needs. Two exact shortcuts, used only for an uncased BertNormalizer + BertPreTokenizer +
    WordPiece tokenizer (ours) whose added tokens are all special:

    1. Normalization. `tokenizers` spends ~40% of its time there, tracking an alignment for every character.
       BertNormalizer works character by character (clean text, CJK spacing, NFD + drop Mn, lowercase) and NFD
       only reorders inside runs of non-ASCII characters, so the ASCII text is lowercased in Python and each
       run of non-ASCII characters goes through the Rust normalizer (cached). Documents where this cannot be
       shown equal (ASCII control characters, a normalized run that Python's lower() would still change) take
       the ordinary path.
    2. Words. After normalization the only whitespace left is " ", and BertPreTokenizer + WordPiece never look
       across it, so a document's ids are the concatenation of its space-separated words' ids. Words are looked
       up in a bounded cache (natural text is Zipfian: most words repeat) and only unseen ones are encoded.

    Text that spells a special token ("[MASK]") is encoded as text, never as the control token.

    Args:
        tok: a loaded tokenizer; any tokenizer works, the shortcuts only apply to ours.
        max_cached_words: bound of the word cache (~300 bytes per entry: ~160 MB by default); once full, the
            words seen first stay (in Zipfian text, the frequent ones) and later new words are encoded each time.
    """

    _NON_ASCII = re.compile(r"[^\x00-\x7f]+")
    _ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # removed by clean_text: not \t\n\r
    _MAX_CACHED_RUN = 16  # longer non-ASCII runs (a line of Chinese) are normalized, not cached
    _MAX_RUNS = 1 << 17
    _MISS_CHUNK = 2048  # unseen words per encoded input

    def __init__(self, tok: Tokenizer, max_cached_words: int = 1 << 19) -> None:
        from tokenizers import Tokenizer

        spec = json.loads(tok.to_str())
        self.full = Tokenizer.from_str(tok.to_str())
        self.full.no_truncation()
        self.full.no_padding()
        self.full.encode_special_tokens = True
        self._normalizer = self.full.normalizer
        self.bare: Tokenizer | None = None
        norm = spec.get("normalizer") or {}
        shortcut = (
            norm.get("type") == "BertNormalizer"
            and norm.get("lowercase") is True
            and norm.get("strip_accents") in (None, True)
            and norm.get("clean_text") is True
            and norm.get("handle_chinese_chars") is True
            and (spec.get("pre_tokenizer") or {}).get("type") == "BertPreTokenizer"
            and spec["model"].get("type") == "WordPiece"
            # non-special added tokens are matched on raw text, which the shortcut changes
            and all(t.get("special") for t in spec.get("added_tokens", []))
        )
        if shortcut:
            spec["normalizer"] = None
            self.bare = Tokenizer.from_str(json.dumps(spec))
            self.bare.no_truncation()
            self.bare.no_padding()
            self.bare.encode_special_tokens = True
        self._encode_full = getattr(self.full, "encode_batch_fast", self.full.encode_batch)  # no offsets: faster
        self._encode_bare = getattr(self.bare, "encode_batch_fast", None) or getattr(self.bare, "encode_batch", None)
        self._runs: dict[str, tuple[str, bool]] = {}
        self._words: dict[str, tuple[int, ...]] = {}
        self.max_cached_words = max_cached_words
        self.stats: Counter = Counter()  # words, word_misses: how well the cache works

    def _normalize_run(self, m: re.Match[str]) -> str:
        run = m.group()
        hit = self._runs.get(run)
        if hit is None:
            out = self._normalizer.normalize_str(run)
            hit = (out, out.lower() == out)
            if len(run) <= self._MAX_CACHED_RUN and len(self._runs) < self._MAX_RUNS:
                self._runs[run] = hit
        if not hit[1]:
            raise _NoShortcut
        return hit[0]

    def normalize(self, text: str) -> str | None:
        """The text as the tokenizer's normalizer would output it, or None when the shortcut does not apply."""
        if self.bare is None or self._ASCII_CONTROL.search(text):
            return None
        if not text.isascii():
            try:
                text = self._NON_ASCII.sub(self._normalize_run, text)
            except _NoShortcut:
                return None
        # clean_text turns whitespace into spaces (the non-ASCII ones went through the Rust runs above)
        return text.lower().replace("\n", " ").replace("\t", " ").replace("\r", " ")

    def normalize_exact(self, text: str) -> str:
        """The normalizer's output: the shortcut when it applies, else the tokenizer's own normalizer."""
        out = self.normalize(text)
        if out is None:
            return self._normalizer.normalize_str(text) if self._normalizer is not None else text
        return out

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Ids of each text, without [CLS]/[SEP]."""
        if self.bare is None:
            return [e.ids for e in self._encode_full(texts, add_special_tokens=False)]
        cache = self._words
        get = cache.get
        looked_up: list[tuple[list[str], list[tuple[int, ...] | None]] | None] = []
        missing: set[str] = set()
        slow = []
        for i, text in enumerate(texts):
            normalized = self.normalize(text)
            if normalized is None:
                slow.append(i)
                looked_up.append(None)
                continue
            words = normalized.split()  # only " " is whitespace after normalization
            found = list(map(get, words))
            if None in found:
                missing.update(set(words).difference(cache))
            looked_up.append((words, found))
            self.stats["words"] += len(words)

        new: dict[str, tuple[int, ...]] = {}
        if missing:
            unseen = sorted(missing)  # sorted: the same words get cached whatever the hash seed
            self.stats["word_misses"] += len(unseen)
            # one input per word would cost a Rust Encoding each: encode chunks of words as pre-split input and
            # regroup the ids by word_ids, which then index the words of the chunk
            chunks = [unseen[i : i + self._MISS_CHUNK] for i in range(0, len(unseen), self._MISS_CHUNK)]
            for chunk, enc in zip(
                chunks, self.bare.encode_batch(chunks, is_pretokenized=True, add_special_tokens=False), strict=True
            ):
                groups: list[list[int]] = [[] for _ in chunk]
                for token, word in zip(enc.ids, enc.word_ids, strict=True):
                    groups[word].append(token)
                new.update(zip(chunk, map(tuple, groups), strict=True))
            room = self.max_cached_words - len(cache)
            cache.update(new if room >= len(new) else {w: new[w] for w in unseen[: max(room, 0)]})
        out: list[list[int]] = []
        for item in looked_up:
            if item is None:
                out.append([])
                continue
            words, found = item
            if None in found:
                found = list(map(get, words))  # most misses are cached now
                if None in found:  # the cache is full
                    found = [f if f is not None else new[w] for w, f in zip(words, found, strict=True)]
            out.append(list(chain.from_iterable(found)))
        if slow:
            for i, e in zip(slow, self._encode_full([texts[i] for i in slow], add_special_tokens=False), strict=True):
                out[i] = e.ids
        return out


class _NoShortcut(Exception):
    pass
