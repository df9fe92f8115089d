"""Retry overhead of remote Common Crawl reading (issue: streaming that survives the network).

Serves a snapshot from the loopback Common Crawl of the tests (tests/cc_server.py) and reads it with
`CommonCrawlWarcReader`, once through a clean server and once through servers that break every transfer:
- cut once: every WARC is cut at a random byte mid-body (CloudFront resetting a long transfer);
- throttled + cut: two `503 SlowDown` answers, then a cut, per file;
- cut, Range ignored: the server answers every request with the whole file (the reader re-reads and skips).
Prints, per case: documents (and whether their ids, offsets and texts equal the clean run's), wall and CPU seconds, requests, and bytes sent by the
server over the files' total size (Range resume means ~1.0x; a server ignoring Range costs ~1.5x on average).

    python benchmarks/remote.py [--files 12] [--copies 40]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cc_server import CCServer, Cut, Status, crawl_layout  # noqa: E402
from common import cpu_seconds  # noqa: E402

from olm_data import samples  # noqa: E402
from olm_data.readers.remote import RetryPolicy  # noqa: E402
from olm_data.readers.warc import CommonCrawlWarcReader  # noqa: E402

SNAPSHOT = "CC-MAIN-2099-01"


def build_warcs(folder: Path, files: int, copies: int) -> list[Path]:
    """`files` WARCs of `copies` x the sample's two intact files (gzip members concatenate into a valid WARC)."""
    body = b"".join(p.read_bytes() for p in samples.warc_files()[:2])
    paths = []
    for i in range(files):
        path = folder / f"CC-MAIN-bench-{i:05d}.warc.gz"
        path.write_bytes(body * copies)
        paths.append(path)
    return paths


def read_all(server: CCServer) -> tuple[int, str, dict]:
    """(documents, sha256 of their ids, offsets and texts in order, the reader's http_* counters)."""
    reader = CommonCrawlWarcReader(
        SNAPSHOT, base_url=server.url, retry=RetryPolicy(retries=6, timeout=10, backoff=0.0, concurrency=0)
    )
    digest, docs = hashlib.sha256(), 0
    for doc in reader.run():
        docs += 1
        digest.update(f"{doc.id}\0{doc.metadata['offset']}\0{doc.text}\0".encode())
    stats = reader.stats.to_dict()["stats"]
    http = {k: (v["total"] if isinstance(v, dict) else v) for k, v in stats.items() if k.startswith("http_")}
    return docs, digest.hexdigest(), http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warcs = build_warcs(tmp, args.files, args.copies)
        rels = crawl_layout(tmp / "cc", SNAPSHOT, warcs)
        sizes = {r: (tmp / "cc" / r).stat().st_size for r in rels}
        total = sum(sizes.values())
        print(f"{len(rels)} WARC files, {total / 2**20:.1f} MiB in all, one reader, loopback server\n")
        cases = {
            "clean": (False, lambda s: None),
            "cut once per file": (False, lambda s: [s.plan(r, Cut(rng.randrange(1, n))) for r, n in sizes.items()]),
            "503 x2 + cut per file": (
                False,
                lambda s: [s.plan(r, Status(503), Status(503), Cut(rng.randrange(1, n))) for r, n in sizes.items()],
            ),
            "cut once, Range ignored": (
                True,
                lambda s: [s.plan(r, Cut(rng.randrange(1, n))) for r, n in sizes.items()],
            ),
        }
        rows, clean_digest, clean_wall = [], None, None
        for name, (ignore_range, plan) in cases.items():
            with CCServer(tmp / "cc", ignore_range=ignore_range) as server:
                plan(server)
                wall, cpu = time.perf_counter(), cpu_seconds()
                docs, digest, http = read_all(server)
                wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
                sent = server.bytes_sent - (tmp / "cc" / f"crawl-data/{SNAPSHOT}/warc.paths.gz").stat().st_size
                requests = sum(server.requests.values())
            clean_digest = clean_digest or digest
            clean_wall = clean_wall or wall
            rows.append(
                (name, docs, digest == clean_digest, wall, wall / clean_wall, cpu, requests, sent / total, http)
            )
        print(
            "| case | docs | same corpus | wall s | vs clean | CPU s | requests | bytes sent / file bytes | counters |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for name, docs, same, wall, ratio, cpu, requests, sent, http in rows:
            counters = ", ".join(f"{k}={v}" for k, v in sorted(http.items())) or "-"
            print(
                f"| {name} | {docs:,} | {'yes' if same else 'NO'} | {wall:.2f} | {ratio:.2f}x | {cpu:.2f} | "
                f"{requests} | {sent:.3f} | {counters} |"
            )


if __name__ == "__main__":
    main()
