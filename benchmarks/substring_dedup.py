"""Exact-substring dedup (olm_data.dedup.substring): MB of text per CPU-second and peak RSS against corpus size.

Run: python benchmarks/substring_dedup.py [--sizes 2 8 32] [--tasks 1 4]

Corpus: documents of 2-5 KB of made-up words (seeded), 10% of them carrying a 150-500-byte span copied from
another document, written as parquet. Each (size, tasks) point runs all three stages (shard, cross, filter;
whole-document mode, k = 100) in a fresh process, tasks one after another in that process, so its peak RSS
is the largest single task's (plus the interpreter, ~150 MB). CPU seconds are user + system of the process.

Measured (2 shared cores, 2026-12-05):

| text MB | tasks | docs | dropped | wall s | CPU s | MB / CPU-s | peak RSS MB |
|---:|---:|---:|---:|---:|---:|---:|---:|
| 2.0 | 1 | 455 | 83 | 3.1 | 2.4 | 0.83 | 364 |
| 2.0 | 4 | 455 | 83 | 3.8 | 2.6 | 0.77 | 222 |
| 8.0 | 1 | 1832 | 329 | 17.8 | 8.9 | 0.90 | 880 |
| 8.0 | 4 | 1832 | 329 | 19.2 | 7.9 | 1.02 | 333 |
| 32.0 | 1 | 7328 | 1305 | 80.0 | 37.2 | 0.86 | 2864 |
| 32.0 | 4 | 7328 | 1305 | 93.6 | 34.0 | 0.94 | 837 |

Throughput stays ~0.9 MB per CPU-second as the corpus grows; peak memory follows the shard size (~85 bytes per
text byte), not the corpus size, and the same documents are dropped for 1 and 4 shards.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import cpu_seconds

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "pe", "si", "da", "gu", "fe", "bo", "zi", "ha", "nu"]


def make_corpus(folder: Path, megabytes: float, files: int, seed: int = 0) -> tuple[int, int]:
    """Write the corpus; returns (documents, UTF-8 bytes of text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(seed)
    vocab = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(20000)})
    docs, total = [], 0
    while total < megabytes * 1e6:
        words = rng.choices(vocab, k=rng.randint(300, 750))
        text = " ".join(words)
        if docs and rng.random() < 0.1:  # plant a span copied from an earlier document
            other = rng.choice(docs)
            start = rng.randrange(max(1, len(other) - 500))
            text = text[: len(text) // 2] + other[start : start + rng.randint(150, 500)] + text[len(text) // 2 :]
        docs.append(text)
        total += len(text)
    folder.mkdir(parents=True)
    for f in range(files):
        rows = [{"id": f"d{i}", "text": t, "metadata": {"n": i}} for i, t in enumerate(docs) if i % files == f]
        pq.write_table(pa.Table.from_pylist(rows), folder / f"{f:03d}.parquet")
    return len(docs), total


def one_point(megabytes: float, tasks: int) -> dict:
    """Build the corpus, then time the dedup stages in this process (call in a fresh process)."""
    from olm_data.dedup.runner import run_stages
    from olm_data.dedup.substring import substring_dedup_stages

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        n_docs, n_bytes = make_corpus(tmp / "in", megabytes, files=max(4, tasks))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        stages = substring_dedup_stages(str(tmp / "in"), str(tmp / "out"), str(tmp / "work"), tasks)
        run_stages(stages, str(tmp / "logs"), tasks=tasks)
        cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
        stats = json.loads((tmp / "logs" / "stats.json").read_text())
        counts = stats["substring_filter"][-2]["counts"]
    return {
        "MB": n_bytes / 1e6,
        "tasks": tasks,
        "docs": n_docs,
        "dropped": counts.get("dropped", 0),
        "wall_s": wall,
        "cpu_s": cpu,
        "MB_per_cpu_s": n_bytes / 1e6 / cpu,
        "peak_rss_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_MB": rss_before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[2, 8, 32], help="corpus sizes in MB of text")
    parser.add_argument("--tasks", type=int, nargs="+", default=[1, 4], help="shard counts to compare")
    parser.add_argument("--one", nargs=2, metavar=("MB", "TASKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_point(float(args.one[0]), int(args.one[1]))))
        return 0
    print("| text MB | tasks | docs | dropped | wall s | CPU s | MB / CPU-s | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        for tasks in args.tasks:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(size), str(tasks)], capture_output=True, text=True, check=True
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {r['MB']:.1f} | {r['tasks']} | {r['docs']} | {r['dropped']} | {r['wall_s']:.1f} | "
                f"{r['cpu_s']:.1f} | {r['MB_per_cpu_s']:.2f} | {r['peak_rss_MB']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
