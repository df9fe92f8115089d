"""Tokens/s of vocab training and of tokenize+pack, and bytes on disk per token. Run by hand, not a test:

    .venv/bin/python benchmarks/tokenization.py [--shared ../shared/data] [--botchan PATH] [--repeat 1] [--runs 3]

Real text: the Wikipedia sample `../shared/data/wikipedia/*.xml.bz2` (articles, wikitext stripped with
mwparserfromhell, a quick cleaning that is enough for tokenizer speed) and, with `--botchan`, `botchan.txt` from
the sentencepiece sdist (`pip download --no-deps --no-binary :all: sentencepiece -d DIR`, then
`tar xzf DIR/sentencepiece-*.tar.gz '*/test/botchan.txt'`), written as 8 parquet files like a datatrove
ParquetWriter output.

The packer caches word -> ids (`BatchEncoder`), so repeated text is faster than new text. The default corpus is
each document once (~0.75 M tokens, a cold cache: the conservative number); `--repeat N` concatenates N copies
(a warm cache: an upper bound). A real corpus lies between: its frequent words repeat, its rare ones do not.

Measured (wall clock on all CPUs of this machine, median of `--runs`; CPU seconds of this process and its
children alongside, so that a shared machine's load can be judged):
- `train_tokenizer` (vocab 30522): corpus tokens / s;
- `tokenize_corpus` (seq_len 512) with tasks=1 (one process, tokenizers' thread pool) and tasks=2 (two
  processes, one thread each): tokens / s including process start-up and writing both outputs;
- the library's plain path for comparison: `Tokenizer.encode_batch_fast` on the same texts (in memory, no I/O);
- bytes per token of the uint16 memmap and of the zstd parquet.
"""

from __future__ import annotations

import argparse
import bz2
import json
import os
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from common import cpu_seconds

from olm_data.trainer.pack import open_token_shards, tokenize_corpus
from olm_data.trainer.tokenizer import load_tokenizer, train_tokenizer


def wikipedia_texts(shared: Path) -> list[str]:
    import mwparserfromhell

    texts = []
    for dump in sorted((shared / "wikipedia").glob("*.xml.bz2")):
        for _, el in ET.iterparse(bz2.open(dump)):
            if el.tag.endswith("}page"):
                ns, text = el.find("{*}ns"), el.find("{*}revision/{*}text")
                if ns is not None and ns.text == "0" and el.find("{*}redirect") is None and text is not None:
                    plain = mwparserfromhell.parse(text.text or "").strip_code().strip()
                    if plain:
                        texts.append(plain)
                el.clear()
    return texts


def botchan_texts(path: Path) -> list[str]:
    """The novel cut into documents of ~40 lines."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return ["\n".join(lines[i : i + 40]) for i in range(0, len(lines), 40)]


def timed(fn, *args, **kwargs):
    w, c = time.perf_counter(), cpu_seconds()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - w, cpu_seconds() - c


def main() -> int:
    here = Path(__file__).resolve().parent.parent
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shared", type=Path, default=here.parent / "shared" / "data")
    p.add_argument("--botchan", type=Path, default=None, help="path to sentencepiece's test/botchan.txt")
    p.add_argument("--repeat", type=int, default=1, help="copies of the text (>1 warms the word cache)")
    p.add_argument("--runs", type=int, default=3, help="timed runs of each tokenize+pack setting (median)")
    p.add_argument("--workdir", type=Path, default=None, help="keep outputs here (default: a temp dir)")
    args = p.parse_args()

    texts: list[str] = []
    sources = []
    if (args.shared / "wikipedia").is_dir():
        texts += wikipedia_texts(args.shared)
        sources.append(f"wikipedia sample ({len(texts)} articles)")
    if args.botchan and args.botchan.is_file():
        bot = botchan_texts(args.botchan)
        texts += bot
        sources.append(f"botchan.txt ({len(bot)} docs)")
    if not texts:
        print("no real text: pass --shared (with wikipedia/) or --botchan", file=sys.stderr)
        return 2
    corpus_texts = texts * args.repeat
    n_chars = sum(map(len, corpus_texts))

    work = args.workdir or Path(tempfile.mkdtemp(prefix="olm_tok_bench_"))
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(corpus_texts) // 8)
    for i in range(8):
        chunk = corpus_texts[i * per_file : (i + 1) * per_file]
        pq.write_table(pa.table({"text": chunk}), corpus / f"{i:05d}.parquet", row_group_size=200)
    print(f"corpus: {' + '.join(sources)} x{args.repeat} = {len(corpus_texts)} docs, {n_chars / 1e6:.1f} M chars")
    print(f"cpus: {len(os.sched_getaffinity(0))}, load average before: {os.getloadavg()}")

    out_tok, w_train, c_train = timed(train_tokenizer, [str(corpus)], work / "tok", vocab_size=30522)
    tok = load_tokenizer(out_tok)

    def plain_library_path() -> int:
        n = 0
        for i in range(0, len(corpus_texts), 1000):
            n += sum(len(e.ids) for e in tok.encode_batch_fast(corpus_texts[i : i + 1000], add_special_tokens=False))
        return n

    n_tokens, w_enc, c_enc = timed(plain_library_path)
    results = {
        "corpus_chars": n_chars,
        "corpus_tokens": n_tokens,
        "chars_per_token": round(n_chars / n_tokens, 3),
        "vocab_size": tok.get_vocab_size(),
        "train_vocab": {
            "wall_s": round(w_train, 2),
            "cpu_s": round(c_train, 2),
            "tokens_per_s": round(n_tokens / w_train),
            "tokens_per_cpu_s": round(n_tokens / c_train),
        },
        "encode_batch_fast_plain": {
            "wall_s": round(w_enc, 2),
            "cpu_s": round(c_enc, 2),
            "tokens_per_s": round(n_tokens / w_enc),
            "tokens_per_cpu_s": round(n_tokens / c_enc),
        },
    }
    for tasks in (1, 2):
        runs = []
        for run in range(args.runs):
            out = work / f"tokenized-512-t{tasks}-r{run}"
            stats, w, c = timed(tokenize_corpus, [str(corpus)], out_tok, out, seq_len=512, tasks=tasks, seed=0)
            runs.append((w, c, stats, out))
        w = statistics.median(r[0] for r in runs)
        c = statistics.median(r[1] for r in runs)
        stats, out = runs[0][2], runs[0][3]
        index, _ = open_token_shards(out)
        bin_bytes = sum((out / "memmap" / s["file"]).stat().st_size for s in index["shards"])
        pq_bytes = sum(f.stat().st_size for f in (out / "data").glob("*.parquet"))
        results[f"tokenize_pack_tasks{tasks}"] = {
            "wall_s": round(w, 2),
            "cpu_s": round(c, 2),
            "tokens": stats["tokens"],
            "tokens_per_s": round(stats["tokens"] / w),
            "tokens_per_cpu_s": round(stats["tokens"] / c),
            "rows": stats["rows"],
            "memmap_bytes_per_token": round(bin_bytes / stats["tokens"], 3),
            "parquet_bytes_per_token": round(pq_bytes / stats["tokens"], 3),
        }
    results["load_average_after"] = os.getloadavg()
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
