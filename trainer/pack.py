"""The tokenized-512 dataset: documents as `[CLS] tokens [SEP]`, concatenated and cut into fixed-length rows.

One pass writes two views of the same rows:

* `OUTPUT/data/train-XXXXX-of-YYYYY.parquet` (`input_ids` list<int32>, `special_tokens_mask` list<int8>) plus a
  dataset card, the Hub layout that `datasets.load_dataset` reads (the `olm-december-2022-tokenized-512` format);
* `OUTPUT/memmap/train-XXXXX.bin` + `index.json`: raw little-endian uint16, row-major (rows, seq_len), which the
  trainer maps with zero copy (`data.TokenShards`; `open_token_shards` for other readers; both start from
  `read_token_index`). 2 bytes per token, no decoding on the GPU box.

Rows are not padded except the last row of each shard (or it is dropped with `drop_last`). Work is split into
`tasks` contiguous, size-balanced slices of the input (whole jsonl files, parquet row groups); each task runs in
its own process, writes its own shard and shuffles its rows with a generator seeded by (seed, task).
Same inputs, tokenizer and arguments give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from olm_data.corpus import CorpusReader, list_input_files
from olm_data.errors import UsageError
from olm_data.manifest import sha256_file
from olm_data.trainer.batch_encoder import BatchEncoder
from olm_data.trainer.tokenizer_files import SPECIAL_TOKENS, load_tokenizer, tokenizer_json_path

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

FORMAT = "olm-tokens-v1"
MAX_UINT16_VOCAB = 65536  # ids 0..65535 fit in uint16
ROWS_PER_GROUP = 1024  # rows per parquet row group and per shuffle/write chunk (~1 MB of uint16 at seq_len 512)
_FLUSH_TOKENS = 1 << 20  # pending tokens before full rows are spilled to disk
_PROGRESS_EVERY_S = 30.0


@dataclass(frozen=True)
class _Task:
    index: int
    parts: tuple[tuple[str, tuple[int, ...] | None], ...]  # (file, parquet row groups or None for whole file)
    tokenizer_file: str
    seq_len: int
    seed: int
    drop_last: bool
    tmp_dir: str
    special_ids: tuple[int, int, int]  # cls, sep, pad


def tokenize_corpus(
    inputs: list[str],
    tokenizer: str | os.PathLike,
    output: str | os.PathLike,
    seq_len: int = 512,
    tasks: int = 1,
    seed: int = 0,
    drop_last: bool = False,
    workers: int | None = None,
) -> dict[str, Any]:
    """Tokenize corpus files into packed rows, written as Hub parquet and as uint16 memmap shards.

    A finished output with the same inputs and arguments is left as is (its stats are returned), so a
    pipeline rerun skips it; anything else in OUTPUT/data, OUTPUT/memmap from an earlier run is replaced.

    Args:
        inputs: corpus files or folders (parquet with a `text` column, jsonl/jsonl.gz with a `text` field).
        tokenizer: tokenizer folder (or its tokenizer.json), e.g. from `train_tokenizer`.
        output: dataset folder (gets data/, memmap/, README.md).
        seq_len: tokens per row.
        tasks: number of shards; each is a contiguous, size-balanced slice of the input.
        seed: seed of the per-shard row shuffle.
        drop_last: drop each shard's final, padded row instead of padding it with [PAD].
        workers: processes running tasks at once (default: min(tasks, CPUs)); 1 runs in this process.

    Returns:
        Stats: docs, rows, tokens (non-pad), pad_tokens, dropped_tokens, shards, skipped input counts, seconds.
    """
    t0 = time.monotonic()
    if seq_len < 2:
        raise UsageError(f"--seq-len must be >= 2, got {seq_len}")
    if tasks < 1:
        raise UsageError(f"--tasks must be >= 1, got {tasks}")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be >= 1, got {workers}")
    tok_file = tokenizer_json_path(tokenizer)
    tok = load_tokenizer(tok_file)
    vocab_size = tok.get_vocab_size(with_added_tokens=True)
    if vocab_size > MAX_UINT16_VOCAB:
        raise UsageError(
            f"tokenizer {tok_file} has {vocab_size} tokens: ids above 65535 do not fit the uint16 token format"
        )
    special = {name: tok.token_to_id(token) for name, token in SPECIAL_TOKENS.items()}
    missing = [SPECIAL_TOKENS[n] for n, i in special.items() if i is None]
    if missing:
        raise UsageError(f"tokenizer {tok_file} lacks special tokens {missing}: train one with `olm-data tokenizer`")

    files = list_input_files(inputs)
    out = Path(output)
    index_path = out / "memmap" / "index.json"
    config = {
        "inputs": [str(f) for f in files],
        "input_bytes": [f.stat().st_size for f in files],
        "tokenizer_sha256": sha256_file(tok_file),
        "seq_len": seq_len,
        "tasks": tasks,
        "seed": seed,
        "drop_last": drop_last,
    }
    previous = _read_json(index_path)
    if previous and previous.get("config") == config and _shards_present(out, previous):
        logger.info("tokenize: %s is already complete for these inputs and arguments, skipping", out)
        return dict(previous["stats"], skipped=True)

    planner = CorpusReader()
    slices = _split_contiguous(_work_units(files, planner), tasks)
    _clear_previous(out)
    tmp = out / "_tmp"
    tmp.mkdir(parents=True)
    jobs = [
        _Task(
            index=i,
            parts=tuple(parts),
            tokenizer_file=str(tok_file),
            seq_len=seq_len,
            seed=seed,
            drop_last=drop_last,
            tmp_dir=str(tmp),
            special_ids=(special["cls"], special["sep"], special["pad"]),
        )
        for i, parts in enumerate(slices)
        if parts  # more tasks than work units: the empty ones would only cost a process start
    ]
    if len(jobs) < tasks:
        logger.info(
            "tokenize: %d tasks asked, the input splits into %d (whole jsonl files, parquet row groups)",
            tasks,
            len(jobs),
        )
    results = _run_tasks(jobs, workers)

    totals: Counter = Counter(planner.stats)
    for r in results:
        totals.update(r["stats"])
    if totals["docs"] == 0:
        shutil.rmtree(tmp)
        raise UsageError(f"no document with text in {len(files)} input file(s): {' '.join(map(str, inputs))}")
    written = [r for r in results if r["rows"] > 0]
    if not written:
        shutil.rmtree(tmp)
        raise UsageError(
            f"{totals['docs']} docs give fewer than {seq_len} tokens and --drop-last drops the only, padded row"
        )

    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "memmap").mkdir(parents=True, exist_ok=True)
    shards = []
    for k, r in enumerate(written):
        os.replace(r["parquet"], out / "data" / f"train-{k:05d}-of-{len(written):05d}.parquet")
        name = f"train-{k:05d}.bin"
        os.replace(r["bin"], out / "memmap" / name)
        shards.append({"file": name, "rows": r["rows"], "tokens": r["tokens"], "sha256": r["sha256"]})
    shutil.rmtree(tmp)

    rows = sum(s["rows"] for s in shards)
    stats = {
        "docs": totals["docs"],
        "rows": rows,
        "tokens": sum(s["tokens"] for s in shards),
        "pad_tokens": totals["pad_tokens"],
        "dropped_tokens": totals["dropped_tokens"],
        "shards": len(shards),
        "seq_len": seq_len,
        "vocab_size": vocab_size,
        **{k: totals[k] for k in ("empty_docs", "missing_text", "bad_lines", "bad_files")},
    }
    index = {
        "format": FORMAT,
        "dtype": "uint16",
        "seq_len": seq_len,
        "vocab_size": vocab_size,
        "special_tokens": special,
        "shards": shards,
        "rows": rows,
        "tokens": stats["tokens"],
        "tokenizer": str(tokenizer),
        "tokenizer_sha256": config["tokenizer_sha256"],
        "stats": stats,
        "config": config,
    }
    _write_dataset_card(out, index)
    # index.json last: its presence means the dataset is complete
    index_path.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    seconds = time.monotonic() - t0
    stats = dict(
        stats, skipped=False, seconds=round(seconds, 3), tokens_per_s=round(stats["tokens"] / max(seconds, 1e-9))
    )
    logger.info(
        "tokenize: %d docs -> %d rows x %d (%d tokens) in %d shard(s), %.1f s -> %s",
        stats["docs"],
        rows,
        seq_len,
        stats["tokens"],
        len(shards),
        seconds,
        out,
    )
    return stats


def read_token_index(path: str | os.PathLike) -> tuple[Path, dict[str, Any]]:
    """(path of index.json, parsed index) of a tokenized dataset, format checked: the one reader of the layout that
    both `open_token_shards` and the trainer's `TokenShards` start from.

    Args:
        path: the dataset folder, its `memmap/` folder, or `memmap/index.json`.

    Raises:
        UsageError: no index there, not JSON, or not the olm-tokens-v1 / uint16 format.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "memmap" / "index.json" if (p / "memmap" / "index.json").is_file() else p / "index.json"
    if not p.is_file():
        raise UsageError(f"no token index at {path}: expected memmap/index.json (run `olm-data tokenize`)")
    try:
        index = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise UsageError(f"{p} is not valid JSON: {err}") from None
    if index.get("format") != FORMAT or index.get("dtype") != "uint16":
        raise UsageError(f"{p}: format {index.get('format')!r}/{index.get('dtype')!r}, expected {FORMAT!r}/'uint16'")
    return p, index


def open_token_shards(path: str | os.PathLike, verify: bool = False) -> tuple[dict[str, Any], list[np.memmap]]:
    """Map the uint16 token shards read-only, zero copy, each shaped (rows, seq_len).

    Args:
        path: the dataset folder, its `memmap/` folder, or `memmap/index.json`.
        verify: also check each shard's sha256 (reads every byte; off by default).

    Returns:
        The parsed index.json and one `np.memmap` per shard, in index order.
    """
    import numpy as np

    p, index = read_token_index(path)
    seq_len = int(index["seq_len"])
    arrays = []
    for shard in index["shards"]:
        file = p.parent / shard["file"]
        rows = int(shard["rows"])
        if not file.is_file() or file.stat().st_size != rows * seq_len * 2:
            raise UsageError(f"{file}: missing or not {rows} rows x {seq_len} uint16 tokens as index.json says")
        if verify and sha256_file(file) != shard["sha256"]:
            raise UsageError(f"{file}: sha256 does not match index.json")
        arrays.append(np.memmap(file, dtype="<u2", mode="r", shape=(rows, seq_len)))
    return index, arrays


# --------------------------------------------------------------------------------------------------------------
# Planning: which task reads what
# --------------------------------------------------------------------------------------------------------------


def _work_units(files: list[Path], reader: CorpusReader) -> list[tuple[str, int | None, int]]:
    """(file, parquet row group or None, weight in bytes) in input order; unreadable files are counted, skipped."""
    import pyarrow.parquet as pq

    units: list[tuple[str, int | None, int]] = []
    for f in files:
        if f.name.endswith(".parquet"):
            try:
                meta = pq.ParquetFile(f).metadata
            except Exception as e:  # noqa: BLE001 - corrupt footer: skip the file, keep the run going
                reader._warn_once(f, "bad_files", f"unreadable parquet, skipped ({type(e).__name__}: {e})")
                continue
            for g in range(meta.num_row_groups):
                units.append((str(f), g, max(1, meta.row_group(g).total_byte_size)))
        else:
            # gzip text compresses ~3-4x: weigh it by its likely text size so slices stay balanced
            size = f.stat().st_size * (4 if f.name.endswith(".gz") else 1)
            units.append((str(f), None, max(1, size)))
    return units


def _split_contiguous(
    units: list[tuple[str, int | None, int]], tasks: int
) -> list[list[tuple[str, tuple[int, ...] | None]]]:
    """Cut the units into `tasks` contiguous slices of about equal weight (a slice may be empty).

    Contiguous keeps document order: shard k holds documents before shard k+1's, as in the input.
    """
    total = sum(w for _, _, w in units)
    slices: list[list[tuple[str, tuple[int, ...] | None]]] = [[] for _ in range(tasks)]
    done = 0
    for file, group, weight in units:
        # a unit goes to the slice that contains its midpoint
        k = min(tasks - 1, int((done + weight / 2) * tasks / total)) if total else 0
        done += weight
        parts = slices[k]
        if group is not None and parts and parts[-1][0] == file and parts[-1][1] is not None:
            parts[-1] = (file, (*parts[-1][1], group))
        else:
            parts.append((file, None if group is None else (group,)))
    return slices


# --------------------------------------------------------------------------------------------------------------
# Running tasks
# --------------------------------------------------------------------------------------------------------------


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _run_tasks(jobs: list[_Task], workers: int | None) -> list[dict[str, Any]]:
    import multiprocessing

    workers = min(len(jobs), workers or _cpu_count())
    if workers <= 1 or multiprocessing.current_process().daemon:  # a daemon (pool worker) may not have children
        return [_run_task(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn, not fork: a forked child inherits the parent's tokenizers thread pool state and may deadlock.
    # ProcessPoolExecutor, not Pool: a worker that dies raises BrokenProcessPool instead of hanging forever.
    threads = max(1, _cpu_count() // workers)
    results = []
    with ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(threads, logging.getLogger().level),
    ) as pool:
        futures = [pool.submit(_run_task, job) for job in jobs]
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            logger.info("tokenize: task %d done (%d/%d), %d rows", r["index"], len(results), len(jobs), r["rows"])
    return sorted(results, key=lambda r: r["index"])


def _init_worker(threads: int, level: int) -> None:
    # read by the tokenizers (rayon) thread pool when it starts: keeps workers x threads <= CPUs
    os.environ["RAYON_RS_NUM_CPUS"] = str(threads)
    logging.basicConfig(level=level or logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _run_task(task: _Task) -> dict[str, Any]:
    """Tokenize one slice: rows spill to an unshuffled temp file, then go out shuffled to .bin and .parquet."""
    import numpy as np

    # exact ids of the tokenizer, faster; "[MASK]" typed in a web page stays text, not a control token
    encoder = BatchEncoder(load_tokenizer(task.tokenizer_file))
    cls, sep, pad = task.special_ids
    seq_len = task.seq_len
    reader = CorpusReader()
    tmp = Path(task.tmp_dir)
    rows_file = tmp / f"rows-{task.index:05d}.u16"
    rows = 0
    pending: list[np.ndarray] = []
    pending_len = 0
    t0 = last_log = time.monotonic()

    def spill(f: Any, final: bool) -> int:
        """Write the complete rows of `pending` to `f`; at the end pad (or drop) the incomplete last row."""
        nonlocal pending, pending_len
        buf = np.concatenate(pending) if pending else np.zeros(0, np.uint16)
        n = len(buf) // seq_len
        f.write(buf[: n * seq_len].tobytes())
        rest = buf[n * seq_len :]
        pending, pending_len = [rest], len(rest)
        if final and len(rest):
            pending, pending_len = [], 0
            if task.drop_last:
                reader.stats["dropped_tokens"] += len(rest)
                return n
            reader.stats["pad_tokens"] += seq_len - len(rest)
            f.write(np.concatenate([rest, np.full(seq_len - len(rest), pad, np.uint16)]).tobytes())
            return n + 1
        return n

    with open(rows_file, "wb") as f:
        for file, groups in task.parts:
            path = Path(file)
            for values in reader.iter_rows(path, list(groups) if groups is not None else None):
                texts = reader.clean(path, values)
                if not texts:
                    continue
                flat: list[int] = []
                for ids in encoder.encode(texts):
                    if not ids:  # e.g. only control characters
                        reader.stats["empty_docs"] += 1
                        reader.stats["docs"] -= 1
                        continue
                    flat.append(cls)
                    flat.extend(ids)
                    flat.append(sep)
                pending.append(np.array(flat, dtype=np.uint16))
                pending_len += len(flat)
                if pending_len >= _FLUSH_TOKENS:
                    rows += spill(f, final=False)
                now = time.monotonic()
                if now - last_log >= _PROGRESS_EVERY_S:
                    last_log = now
                    done = rows * seq_len + pending_len
                    logger.info(
                        "tokenize task %d: %d docs, %d tokens, %.0f tokens/s",
                        task.index,
                        reader.stats["docs"],
                        done,
                        done / (now - t0),
                    )
        rows += spill(f, final=True)

    result: dict[str, Any] = {"index": task.index, "rows": rows, "tokens": 0, "stats": dict(reader.stats)}
    if rows:
        result.update(_write_shuffled(task, rows_file, rows))
    rows_file.unlink()
    return result


def _write_shuffled(task: _Task, rows_file: Path, rows: int) -> dict[str, Any]:
    """Write the rows in a seeded random order to the task's .bin and .parquet, a chunk at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    seq_len = task.seq_len
    cls, sep, pad = task.special_ids
    specials = np.array(sorted({cls, sep, pad}), dtype=np.uint16)
    src = np.memmap(rows_file, dtype="<u2", mode="r", shape=(rows, seq_len))
    order = np.random.default_rng([task.seed, task.index]).permutation(rows)
    tmp = Path(task.tmp_dir)
    bin_path, parquet_path = tmp / f"train-{task.index:05d}.bin", tmp / f"train-{task.index:05d}.parquet"
    schema = pa.schema([("input_ids", pa.list_(pa.int32())), ("special_tokens_mask", pa.list_(pa.int8()))])
    sha = hashlib.sha256()
    tokens = 0
    with open(bin_path, "wb") as fb, pq.ParquetWriter(parquet_path, schema, compression="zstd") as pw:
        for start in range(0, rows, ROWS_PER_GROUP):
            block = np.ascontiguousarray(src[order[start : start + ROWS_PER_GROUP]], dtype="<u2")
            raw = block.tobytes()
            fb.write(raw)
            sha.update(raw)
            tokens += int(np.count_nonzero(block != pad))
            n = len(block)
            offsets = pa.array(np.arange(0, (n + 1) * seq_len, seq_len, dtype=np.int32))
            ids = pa.ListArray.from_arrays(offsets, pa.array(block.reshape(-1).astype(np.int32)))
            mask = np.isin(block, specials).reshape(-1).astype(np.int8)
            special_mask = pa.ListArray.from_arrays(offsets, pa.array(mask))
            pw.write_table(pa.Table.from_arrays([ids, special_mask], schema=schema), row_group_size=ROWS_PER_GROUP)
    del src
    return {"bin": str(bin_path), "parquet": str(parquet_path), "sha256": sha.hexdigest(), "tokens": tokens}


# --------------------------------------------------------------------------------------------------------------
# Output bookkeeping
# --------------------------------------------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _shards_present(out: Path, index: dict[str, Any]) -> bool:
    n = len(index.get("shards", []))
    return all((out / "memmap" / s["file"]).is_file() for s in index["shards"]) and all(
        (out / "data" / f"train-{k:05d}-of-{n:05d}.parquet").is_file() for k in range(n)
    )


def _clear_previous(out: Path) -> None:
    """Remove only what an earlier run of this command wrote, so stale shards never mix with new ones."""
    for pattern in ("data/train-*-of-*.parquet", "memmap/train-*.bin", "memmap/index.json"):
        for p in out.glob(pattern):
            p.unlink()
    if (out / "_tmp").exists():
        shutil.rmtree(out / "_tmp")


def _write_dataset_card(out: Path, index: dict[str, Any]) -> None:
    """README.md with `configs:` so `load_dataset(OUTPUT)` reads data/ only, never the memmap/ files."""
    s = index["stats"]
    card = f"""---
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
---
# Tokenized corpus ({index["seq_len"]}-token rows)

Written by `olm-data tokenize`. Each document is `[CLS] tokens [SEP]`; documents are concatenated and cut into
rows of {index["seq_len"]} tokens; only the last row of each shard is padded with [PAD] (id {index["special_tokens"]["pad"]}).
Rows are shuffled within each shard with a seeded generator.

- `data/`: parquet, columns `input_ids` (list<int32>) and `special_tokens_mask` (list<int8>, 1 for [CLS], [SEP], [PAD]).
- `memmap/`: the same rows as raw little-endian uint16 (rows, {index["seq_len"]}) per shard, described by `index.json`.

| docs | rows | tokens (non-pad) | shards | vocab |
|---|---|---|---|---|
| {s["docs"]} | {s["rows"]} | {s["tokens"]} | {s["shards"]} | {index["vocab_size"]} |
"""
    (out / "README.md").write_text(card, encoding="utf-8")
