"""Synthetic word material for dedup tests: made-up words, so no real-language statistics leak in."""

from __future__ import annotations

import random

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "pe", "si", "da", "gu", "fe", "bo", "zi", "ha", "nu"]


def vocabulary(n: int = 3000, seed: int = 1) -> list[str]:
    """`n` distinct made-up words of 2-4 syllables, sorted (seeded)."""
    rng = random.Random(seed)
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)
