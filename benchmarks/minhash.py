"""MinHash benchmark on real text: speed per core, precision/recall against planted near duplicates, index size.

    .venv/bin/python benchmarks/minhash.py [--wiki ../shared/data/wikipedia/enwiki-sample-206-pages.xml.bz2]
        [--index-docs 100000] [--later-docs 20000]

Docs: the Wikipedia sample's articles (namespace 0, no redirects, wikitext stripped with mwparserfromhell),
cut at paragraph boundaries into docs of 2-5 KB. Near duplicates: for 1 in 3 docs, a copy with random word
replacements until the exact Jaccard similarity of the two 5-gram shingle sets falls to a target level
(0.3 ... 0.98, cycled); the exact Jaccard is recorded, so every planted pair has a known similarity.

Speed: one core (the process is pinned to one CPU), CPU time (`time.process_time`), median of 5 interleaved
repetitions on the same docs:
* ours from text (normalize, shingle, sign) and signature-only from pre-hashed shingles;
* datasketch 2.x `MinHash(112, seed=1).update_batch(shingles)` (default sha1_hash32, scheme affine32), on
  pre-built shingle bytes, and end to end (our reference word normalization + join + update_batch);
* datatrove `MinhashDedupSignature` (spaCy word tokenizer): `get_shingles` + `get_signature`, and signature
  only on pre-hashed shingles.
Identity: our signatures are checked equal to datasketch's with `hashfunc=shingle_hash32` on every doc.

Quality: the full four-stage pipeline (`minhash_stages`, local executor) on base docs + variants; a found pair
is two docs in the same cluster; precision = found pairs whose exact Jaccard >= threshold / found pairs
(exact Jaccard computed for every found pair); recall = planted pairs with Jaccard >= threshold found / all
such pairs; plus recall by similarity bucket next to the LSH S-curve.

Cross-snapshot index (`--index-docs`, 0 skips it): synthetic docs of 4-8 sentences drawn at random from the
Wikipedia docs' sentences (~800 chars, ~130 words), with WARC-style UUID ids and ~70-character URLs, are indexed
through `build_index` (2 build tasks). A later snapshot (`--later-docs`) of new synthetic docs plus, for a quarter
of it, copies of random index docs with 0, 1, 2, 4 or 8 words replaced, runs through `minhash_stages` against the
index (2 tasks). Reported: bytes/doc of each index part (from index.json), wall times, and whether the matches the
bucket tasks wrote (band, doc, index row, in their order) equal the old lookup's: full 64-bit band-hash equality by
binary search on sorted uint64 band hashes, recomputed from the index's and the run's signatures.
"""

# ruff: noqa: E402  (the sys.path fix below must run before any other import)
from __future__ import annotations

import argparse
import bz2
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WIKI = ROOT.parent / "shared" / "data" / "wikipedia" / "enwiki-sample-206-pages.xml.bz2"
LEVELS = [0.3, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98]


def wiki_docs(path: Path, min_chars: int = 2000, max_chars: int = 5000) -> list[str]:
    import mwparserfromhell

    docs = []
    with bz2.open(path) as f:
        for _, el in ET.iterparse(f):
            if not el.tag.endswith("}page"):
                continue
            ns = next((c.text for c in el if c.tag.endswith("}ns")), None)
            redirect = any(c.tag.endswith("}redirect") for c in el)
            rev = next((c for c in el if c.tag.endswith("}revision")), None)
            text = next((c.text for c in rev if c.tag.endswith("}text")), "") if rev is not None else ""
            el.clear()
            if ns != "0" or redirect or not text:
                continue
            plain = mwparserfromhell.parse(text).strip_code()
            cur = ""
            for para in (p.strip() for p in plain.split("\n")):
                if not para:
                    continue
                while len(para) > max_chars:  # a huge paragraph: cut at a space
                    cut = para.rfind(" ", 0, max_chars)
                    cut = cut if cut > 0 else max_chars
                    docs.append(para[:cut])
                    para = para[cut:].strip()
                if len(cur) + len(para) + 1 > max_chars and len(cur) >= min_chars:
                    docs.append(cur)
                    cur = ""
                cur = f"{cur}\n{para}" if cur else para
                if len(cur) >= min_chars:
                    docs.append(cur)
                    cur = ""
    return docs


def shingle_set(text: str) -> set[int]:
    from olm_data.dedup import text as T

    wh, off = T.batch_word_hashes([text])
    wins, _ = T.batch_window_hashes(wh, off, 5)
    return set(wins.tolist())


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def make_variant(text: str, target: float, vocab: list[str], rng: random.Random) -> tuple[str, float]:
    """Replace random words until the exact shingle Jaccard with the original drops to <= target."""
    base = shingle_set(text)
    words = text.split()
    order = list(range(len(words)))
    rng.shuffle(order)
    j = 1.0
    step = max(1, len(words) // 400)
    for k in range(0, len(order), step):
        for i in order[k : k + step]:
            words[i] = rng.choice(vocab)
        j = jaccard(base, shingle_set(" ".join(words)))
        if j <= target:
            break
    return " ".join(words), j


def cpu_time(fn, reps: int = 5) -> float:
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def bench_speed(docs: list[str], sample: int) -> list[tuple[str, float]]:
    from datasketch import MinHash

    from olm_data.dedup import text as T
    from olm_data.dedup.signatures import MinhashConfig, MinHasher

    hasher = MinHasher(MinhashConfig())
    small = docs[:sample]
    pre_ours = [hasher.shingle_hashes(docs[i : i + 256]) for i in range(0, len(docs), 256)]
    pre_bytes = [[" ".join(s).encode("utf-8") for s in T.shingles(T.normalize_words(d), 5)] for d in small]

    # identity on every doc
    for i, d in enumerate(docs):
        m = MinHash(112, seed=1, hashfunc=T.shingle_hash32)
        m.update_batch(T.shingles(T.normalize_words(d), 5))
        if i == 0:
            sig_all, _ = hasher.signatures(docs)
        assert np.array_equal(m.hashvalues, sig_all[i]), f"signature mismatch on doc {i}"

    def ours_text():
        for i in range(0, len(docs), 256):
            hasher.signatures(docs[i : i + 256])

    def ours_sig():
        for h, off in pre_ours:
            hasher.signatures_from_shingles(h, off)

    def ds_pre():
        for s in pre_bytes:
            MinHash(112, seed=1).update_batch(s)

    def ds_text():
        for d in small:
            MinHash(112, seed=1).update_batch(
                [" ".join(s).encode("utf-8") for s in T.shingles(T.normalize_words(d), 5)]
            )

    results = {}
    runs = [("ours, from text", ours_text, len(docs)), ("ours, signature only", ours_sig, len(docs))]
    runs += [("datasketch update_batch, pre-shingled", ds_pre, len(small))]
    runs += [("datasketch, from text (normalize + join + update_batch)", ds_text, len(small))]
    try:
        from datatrove.pipeline.dedup.minhash import MinhashConfig as DtConfig
        from datatrove.pipeline.dedup.minhash import MinhashDedupSignature

        dt = MinhashDedupSignature(output_folder=tempfile.mkdtemp(), config=DtConfig())
        dt_small = small[: max(50, sample // 4)]
        dt_pre = [dt.get_shingles(d) for d in dt_small]

        def dt_text():
            for d in dt_small:
                dt.get_signature(dt.get_shingles(d))

        def dt_sig():
            for s in dt_pre:
                if s.size:
                    dt.get_signature(s)

        runs += [("datatrove MinhashDedupSignature (spaCy words)", dt_text, len(dt_small))]
        runs += [("datatrove signature only, pre-shingled", dt_sig, len(dt_small))]
    except Exception as e:  # noqa: BLE001 - the benchmark reports what it could not run
        print(f"datatrove MinhashDedupSignature skipped: {e}", file=sys.stderr)
    samples = {name: [] for name, _, _ in runs}
    for _ in range(5):  # interleaved repetitions
        for name, fn, n in runs:
            samples[name].append(n / cpu_time(fn, reps=1))
    for name, _, _ in runs:
        results[name] = statistics.median(samples[name])
    return list(results.items())


def bench_quality(docs, variants, configs, tmp: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from olm_data.dedup.minhash import minhash_stages, read_report
    from olm_data.dedup.runner import run_stages

    rows = [{"id": f"w{i:05d}", "text": d, "metadata": {"date": "2022-12-20T00:00:00Z"}} for i, d in enumerate(docs)]
    rows += [
        {"id": f"v{i:05d}", "text": t, "metadata": {"date": "2022-12-21T00:00:00Z"}}
        for i, (_, t, _) in enumerate(variants)
    ]
    texts = {r["id"]: r["text"] for r in rows}
    (tmp / "in").mkdir(parents=True, exist_ok=True)
    for k in range(4):
        pq.write_table(pa.Table.from_pylist(rows[k::4]), tmp / "in" / f"{k}.parquet")
    planted = {tuple(sorted((f"w{src:05d}", f"v{i:05d}"))): j for i, (src, _, j) in enumerate(variants)}
    cache: dict[str, set] = {}

    def sset(doc_id: str) -> set:
        if doc_id not in cache:
            cache[doc_id] = shingle_set(texts[doc_id])
        return cache[doc_id]

    out = []
    for label, config in configs:
        work = tmp / label.replace(" ", "_")
        t0 = time.time()
        stages = minhash_stages(str(tmp / "in"), str(work / "out"), str(work / "work"), 2, config=config)
        run_stages(stages, str(work / "logs"), tasks=2, workers=1)
        wall = time.time() - t0
        clusters: dict[str, list[str]] = {}
        for r in read_report(str(work / "work" / "minhash" / "clusters.tsv")):
            clusters.setdefault(r["cluster"], []).append(r["id"])
        found = set()
        for members in clusters.values():
            members = sorted(members)
            found |= {(a, b) for i, a in enumerate(members) for b in members[i + 1 :]}
        t = config.threshold
        true_found = sum(jaccard(sset(a), sset(b)) >= t for a, b in found)
        positives = [p for p, j in planted.items() if j >= t]
        hit = sum(p in found for p in positives)
        by_level = []
        for lo, hi in [(0.0, 0.55), (0.55, 0.65), (0.65, 0.75), (0.75, 0.85), (0.85, 0.95), (0.95, 1.01)]:
            pairs = [p for p, j in planted.items() if lo <= j < hi]
            if pairs:
                mid = statistics.mean(planted[p] for p in pairs)
                rate = sum(p in found for p in pairs) / len(pairs)
                by_level.append((f"[{lo:.2f},{min(hi, 1):.2f})", len(pairs), rate, config.candidate_probability(mid)))
        out.append(
            {
                "label": label,
                "config": config.describe(),
                "found": len(found),
                "precision": true_found / len(found) if found else 1.0,
                "recall": hit / len(positives) if positives else 1.0,
                "positives": len(positives),
                "by_level": by_level,
                "wall_s": wall,
            }
        )
    return out


def synthetic_docs(texts: list[str], n: int, rng: random.Random) -> list[str]:
    """n docs of 4-8 random sentences of `texts` (sentences of 5+ words)."""
    import re

    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+|\n", t) if len(s.split()) >= 5]
    return [" ".join(rng.choice(sentences) for _ in range(rng.randint(4, 8))) for _ in range(n)]


def replace_words(text: str, n: int, vocab: list[str], rng: random.Random) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), min(n, len(words))):
        words[i] = rng.choice(vocab)
    return " ".join(words)


def band_hashes_of(store, ranks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(docs, bands) band hashes recomputed from a folder's signatures, rank by rank, and which docs have words
    (the others have no band entries)."""
    from olm_data.dedup.signatures import MinhashConfig, MinHasher

    hasher = MinHasher(MinhashConfig())
    sig = np.concatenate([store.rank_sigs(r) for r in ranks])
    words = np.concatenate([store.doc_table(r, ["shingles"]).column("shingles").to_numpy() > 0 for r in ranks])
    return hasher.band_hashes(sig), words


def reference_matches(index_folder: str, sig_folder: str) -> tuple[list[np.ndarray], int]:
    """Per band, (ref, row) of every later doc and index doc with equal band hashes, found as the old lookup
    did: binary search of each hash of the run (task by task, each task's hashes sorted) in the index's sorted
    uint64 band hashes, equal hashes in row order. Also: how many (doc, index entry) pairs share only the high
    32 bits (the key prefix), which the new lookup must reject by the low half."""
    from olm_data.dedup.store import MinhashIndex, SignatureStore, expand_ranges, make_ref

    meta = MinhashIndex(index_folder).meta
    num_perm = meta["config"]["num_perm"]
    old, old_words = band_hashes_of(SignatureStore(index_folder, num_perm), meta["ranks"])
    old_rows = np.flatnonzero(old_words)
    run = SignatureStore(sig_folder, num_perm)
    ranks = run.ranks()
    new, new_words = band_hashes_of(run, ranks)
    counts = [run.count(r) for r in ranks]
    refs = np.concatenate([make_ref(r, np.arange(c)) for r, c in zip(ranks, counts, strict=True)])
    task_of = np.repeat(np.arange(len(ranks)), counts)
    out, prefix_only = [], 0
    for b in range(old.shape[1]):
        order = np.argsort(old[old_rows, b], kind="stable")
        idx_h, idx_rows = old[old_rows, b][order], old_rows[order]
        mine = np.flatnonzero(new_words)
        mine = mine[np.lexsort((mine, new[mine, b], task_of[mine]))]  # task by task, sorted by hash
        h, ref = new[mine, b], refs[mine]
        which, pos = expand_ranges(np.searchsorted(idx_h, h, "left"), np.searchsorted(idx_h, h, "right"))
        out.append(np.stack([ref[which], idx_rows[pos].astype(np.uint64)], axis=1))
        idx_p, p = idx_h >> np.uint64(32), h >> np.uint64(32)
        prefix_only += int((np.searchsorted(idx_p, p, "right") - np.searchsorted(idx_p, p, "left")).sum()) - len(pos)
    return out, prefix_only


def bench_index(texts: list[str], n_index: int, n_later: int, tmp: Path) -> dict:
    """Build an index of n_index synthetic docs, dedup a later snapshot against it, check the matches."""
    from olm_data.dedup.index import build_index
    from olm_data.dedup.minhash import minhash_stages, read_report
    from olm_data.dedup.runner import run_stages

    t_section = time.time()
    rng = random.Random(2)
    base = synthetic_docs(texts, n_index, rng)
    vocab = sorted({w for t in texts[:200] for w in t.split()})
    n_copies = n_later // 4
    edits = [(rng.randrange(n_index), (0, 1, 2, 4, 8)[k % 5]) for k in range(n_copies)]
    later = [replace_words(base[i], n, vocab, rng) for i, n in edits] + synthetic_docs(texts, n_later - n_copies, rng)
    later_rows = _doc_rows(later, seed=3, date="2023-02-01T00:00:00Z")
    t0 = time.time()
    meta = build_index(
        _write_rows(_doc_rows(base), tmp / "index_in", 2), str(tmp / "idx"), "INDEX", tasks=2, workers=1
    )
    build_s = time.time() - t0
    work = tmp / "later_work"
    stages = minhash_stages(
        _write_rows(later_rows, tmp / "later_in", 2), str(tmp / "later_out"), str(work), 2,
        index_folders=[str(tmp / "idx")], snapshot="LATER",
    )  # fmt: skip
    t0 = time.time()
    run_stages(stages, str(tmp / "later_logs"), tasks=2, workers=1)
    dedup_s = time.time() - t0
    found = [np.load(work / "minhash" / "buckets" / f"{b:05d}.old.npy") for b in range(meta["config"]["bands"])]
    found = [np.stack([m["ref"], m["row"]], axis=1) for m in found]  # one bucket task per band
    ref, prefix_only = reference_matches(str(tmp / "idx"), str(work / "minhash" / "signatures"))
    same = all(np.array_equal(a, b) for a, b in zip(found, ref, strict=True))
    status = {r["id"]: r["status"] for r in read_report(str(work / "minhash" / "clusters.tsv"))}
    by_edits: dict[int, list[bool]] = {}
    for (_, n), row in zip(edits, later_rows[:n_copies], strict=True):
        by_edits.setdefault(n, []).append(status.get(row["id"]) == "old_duplicate")
    return {
        "meta": meta,
        "build_s": build_s,
        "dedup_s": dedup_s,
        "same": same,
        "prefix_only": prefix_only,
        "band_matches": sum(len(m) for m in found),
        "docs_matched": len(np.unique(np.concatenate([m[:, 0] for m in found]))),
        "by_edits": {n: (sum(v), len(v)) for n, v in sorted(by_edits.items())},
        "old_duplicates": sum(v == "old_duplicate" for v in status.values()),
        "section_s": time.time() - t_section,
    }


def print_index(res: dict, n_later: int) -> None:
    meta = res["meta"]
    n, per, size = meta["num_docs"], meta["bytes_per_doc"], meta["bytes"]
    print(f"\n## Cross-snapshot index of {n:,} synthetic docs; a later snapshot of {n_later:,} docs against it\n")
    print("| part | bytes | bytes/doc |\n|---|---|---|")
    labels = {
        "lookup": "lookup path: band key prefixes (14 x uint32)",
        "side": "side: low halves + doc rows (14 x 2 x uint32), read on a prefix match",
        "signatures": "signatures (112 x uint32)",
        "docs": "docs table (id, url, date; parquet)",
        "total": "total",
    }
    for part, label in labels.items():
        print(f"| {label} | {size[part]:,} | {per[part]} |")
    no_sigs = size["total"] - size["signatures"]
    print(f"| total without signatures | {no_sigs:,} | {no_sigs / n:.1f} |")
    print(
        f"\nindex build (3 stages, 2 tasks, one core) {res['build_s']:.1f} s; later run (4 stages, 2 tasks, "
        f"with the index) {res['dedup_s']:.1f} s; whole section (docs, build, run, reference check) "
        f"{res['section_s']:.1f} s"
    )
    print(
        f"same matches as the old full 64-bit hash lookup: {'yes' if res['same'] else 'no'} "
        f"({res['band_matches']:,} band matches, {res['docs_matched']:,} later docs matched; "
        f"{res['old_duplicates']:,} later docs dropped as old duplicates; {res['prefix_only']} candidates shared "
        "only the 32-bit key prefix and were rejected by the low half)\n"
    )
    print("| words replaced in a copy of an index doc | copies | dropped as old duplicate |\n|---|---|---|")
    for n_edits, (hit, total) in res["by_edits"].items():
        print(f"| {n_edits} | {total:,} | {hit:,} ({hit / total:.1%}) |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wiki", default=str(DEFAULT_WIKI))
    parser.add_argument("--sample", type=int, default=600, help="docs for the slow (datasketch) timings")
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to")
    parser.add_argument("--index-docs", type=int, default=100_000, help="docs in the cross-snapshot index (0: skip)")
    parser.add_argument("--later-docs", type=int, default=20_000, help="docs of the snapshot deduped against it")
    args = parser.parse_args()
    if not Path(args.wiki).is_file():
        print(f"Wikipedia sample not found at {args.wiki}; nothing to benchmark", file=sys.stderr)
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})

    from olm_data.dedup import text as T
    from olm_data.dedup.index import build_index
    from olm_data.dedup.signatures import MinhashConfig, optimal_bands_rows

    docs = wiki_docs(Path(args.wiki))
    n_sh = [max(len(T.normalize_words(d)) - 4, 1) for d in docs]
    print(f"{len(docs)} docs, {statistics.mean(len(d) for d in docs):.0f} chars, {statistics.mean(n_sh):.0f} shingles")

    print("\n## Signatures per second, one core (112 permutations)\n")
    speed = bench_speed(docs, args.sample)
    base = dict(speed)["datasketch update_batch, pre-shingled"]
    print("| method | signatures/s | vs datasketch update_batch |\n|---|---|---|")
    for name, rate in speed:
        print(f"| {name} | {rate:,.0f} | {rate / base:.1f}x |")

    rng = random.Random(0)
    vocab = sorted({w for d in docs[:200] for w in d.split()})
    variants = []
    for n, i in enumerate(range(0, len(docs), 3)):
        text, j = make_variant(docs[i], LEVELS[n % len(LEVELS)], vocab, rng)
        variants.append((i, text, j))
    b, r = optimal_bands_rows(0.7, 112)
    configs = [
        ("14x8 no verify", MinhashConfig(verify=False)),
        ("14x8 verify (default)", MinhashConfig()),
        (f"{b}x{r} no verify (datasketch optimum)", MinhashConfig(bands=b, rows=r, verify=False)),
        (f"{b}x{r} verify", MinhashConfig(bands=b, rows=r)),
        ("16x7 verify", MinhashConfig(bands=16, rows=7)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        quality = bench_quality(docs, variants, configs, Path(tmp))
        meta = build_index(_write_rows(_doc_rows(docs), Path(tmp) / "base"), str(Path(tmp) / "idx"), "bench")
        if args.index_docs:
            index_res = bench_index(docs, args.index_docs, args.later_docs, Path(tmp) / "cross")
    print(f"\n## Duplicate pairs vs {len(variants)} planted pairs (threshold 0.7; full pipeline, 2 tasks)\n")
    print("| LSH | found pairs | precision | recall (J>=0.7) | pipeline wall s |\n|---|---|---|---|---|")
    for q in quality:
        print(f"| {q['label']} | {q['found']} | {q['precision']:.3f} | {q['recall']:.3f} | {q['wall_s']:.1f} |")
    print("\nRecall by planted similarity (measured vs LSH S-curve at the bucket's mean J):\n")
    print("| J bucket | pairs | " + " | ".join(q["label"] for q in quality) + " |")
    print("|---|---|" + "---|" * len(quality))
    for k, (bucket, npairs, _, _) in enumerate(quality[0]["by_level"]):
        cells = [f"{q['by_level'][k][2]:.2f} ({q['by_level'][k][3]:.2f})" for q in quality]
        print(f"| {bucket} | {npairs} | " + " | ".join(cells) + " |")
    print(f"\n## Index size ({meta['num_docs']} docs, 14 bands, 112 perms)\n")
    print("| part | bytes/doc |\n|---|---|")
    for part, v in meta["bytes_per_doc"].items():
        print(f"| {part} | {v} |")
    if args.index_docs:
        print_index(index_res, args.later_docs)
    return 0


def _doc_rows(docs: list[str], seed: int = 1, date: str = "2022-12-01T12:00:00Z") -> list[dict]:
    rng = random.Random(seed)  # realistic, incompressible ids and urls: WARC record ids are random UUIDs
    return [
        {
            "id": f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>",
            "text": d,
            "metadata": {
                "url": f"https://www.example-{rng.getrandbits(32):x}.com/{rng.getrandbits(64):x}/page-{i}.html",
                "date": date,
            },
        }
        for i, d in enumerate(docs)
    ]


def _write_rows(rows: list[dict], folder: Path, files: int = 1) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        pq.write_table(pa.Table.from_pylist(rows[k::files]), folder / f"{k}.parquet")
    return str(folder)


if __name__ == "__main__":
    sys.exit(main())
