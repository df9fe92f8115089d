"""n-gram LM estimation (tokens/s, peak memory) and perplexity scoring (docs/s) per core, next to KenLM.

Run by hand (not a test), pinned to one core like the anchors in ../shared/reference/cpu-anchors.md:

    taskset -c 0 .venv/bin/python benchmarks/perplexity.py [--shared ../shared/data] [--synthetic-tokens 50000000]
        [--lmplz /path/to/lmplz]

What is measured (each estimation in its own process, so its peak RSS is its own):
1. Estimation on the real Wikipedia sample (`<shared>/wikipedia/*.xml.bz2`, cleaned by our Wikipedia reader,
   CCNet-normalized): `lmplz -o 5 --discount_fallback`'s job, from whitespace-tokenized text to an ARPA file,
   (a) on words (what the anchor measured) and (b) on SentencePiece pieces (what `olm-data lm train` counts).
2. Estimation on a synthetic corpus built like the anchor's 20.3 M-token one: the sample's words repeated, 15% of
   the positions replaced by random vocabulary words, `--synthetic-tokens` long; fed as ids (no text parsing).
3. Scoring: CCNet document perplexity (normalize, SentencePiece, kenlm) of the sample split into 2-5 KB
   documents, with a 5-gram LM trained on the same sample; docs/s, lines/s, and kenlm's share alone.
With `--lmplz` (a KenLM build), the same text files also go through lmplz for a side-by-side on this machine.
Times are CPU seconds of the measured process (other load on the machine does not count) and wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import split_into_docs, wikipedia_texts

ANCHORS = {  # cpu-anchors.md, lmplz -o 5 --discount_fallback -S 1G, one core
    "wiki": "lmplz: 451 k tokens, 515 k tokens/s, 218 MiB",
    "synthetic": "lmplz: 20.3 M tokens (11.7 M distinct 5-grams), 692 k tokens/s, 770 MiB",
    "kenlm": "kenlm Python scoring: ~170-325 k sentences/s (probing)",
}


def shared_wikipedia_texts(shared: Path) -> list[str]:
    dumps = sorted((shared / "wikipedia").glob("*.xml.bz2"))
    if not dumps:
        sys.exit(f"no Wikipedia dump in {shared / 'wikipedia'}")
    return [text for dump in dumps for text in wikipedia_texts(dump)]


# ---------------------------------------------------------------------------------------------------------------
# Child processes: one measurement each, JSON on stdout


def child_estimate_text(path: str, order: int, arpa: str) -> dict:
    from olm_data.perplexity.ngram import NgramCounter, estimate_kneser_ney

    cpu, wall = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory() as spill, open(path, encoding="utf-8") as f:
        counter = NgramCounter(order, spill_dir=spill)
        counter.add_lines(f)
        model = estimate_kneser_ney(counter.counts())
    model.write_arpa(arpa)
    return {
        "tokens": counter.tokens,
        "ngrams": [model.size(k) for k in range(1, order + 1)],
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
    }


def make_synthetic(base: Path, tokens: int, out: Path, text: Path | None, seed: int = 0) -> None:
    """The anchor's construction: the sample's words again and again, 15% of the positions replaced by random
    vocabulary words, cut at a line boundary after `tokens` words. Saved as ids (and as text for lmplz)."""
    import numpy as np

    data = np.load(base)
    ids, lengths, words = data["ids"], data["lengths"], data["vocab"]
    rng = np.random.default_rng(seed)
    rounds = -(-tokens // len(ids))
    all_ids = np.tile(ids, rounds)
    swap = rng.random(len(all_ids)) < 0.15
    all_ids[swap] = rng.integers(3, len(words), int(swap.sum()))
    all_lengths = np.tile(lengths, rounds)
    keep_lines = int(np.searchsorted(np.cumsum(all_lengths), tokens, side="right"))
    all_lengths = all_lengths[:keep_lines]
    all_ids = all_ids[: int(all_lengths.sum())]
    np.savez(out, ids=all_ids.astype(np.int32), lengths=all_lengths, vocab=words)
    if text is not None:
        vocab = [str(w) for w in words]
        with open(text, "w", encoding="utf-8") as f:
            start = 0
            for n in all_lengths.tolist():
                f.write(" ".join(vocab[i] for i in all_ids[start : start + n].tolist()) + "\n")
                start += n


def child_estimate_synthetic(corpus: str, order: int, arpa: str) -> dict:
    import numpy as np

    from olm_data.perplexity.ngram import NgramCounter, Vocabulary, estimate_kneser_ney

    data = np.load(corpus)
    ids, lengths = data["ids"], data["lengths"]
    vocab = Vocabulary([str(w) for w in data["vocab"]][3:])
    ends = np.cumsum(lengths)
    cpu, wall = time.process_time(), time.perf_counter()
    timings = {}
    with tempfile.TemporaryDirectory() as spill:
        counter = NgramCounter(order, vocab=vocab, spill_dir=spill)
        for first in range(0, len(lengths), 100_000):  # fed in slices, as a corpus reader would
            last = min(first + 100_000, len(lengths))
            start = int(ends[first - 1]) if first else 0
            counter.add_ids(ids[start : int(ends[last - 1])], lengths[first:last])
        counts = counter.counts()
        timings["count_cpu_s"] = time.process_time() - cpu
    model = estimate_kneser_ney(counts)
    del counts
    timings["estimate_cpu_s"] = time.process_time() - cpu - timings["count_cpu_s"]
    model.write_arpa(arpa)
    timings["arpa_cpu_s"] = time.process_time() - cpu - timings["count_cpu_s"] - timings["estimate_cpu_s"]
    return {
        "tokens": counter.tokens,
        "ngrams": [model.size(k) for k in range(1, order + 1)],
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "arpa_bytes": os.path.getsize(arpa),
        **timings,
    }


def child_score(lm: str, docs_path: str) -> dict:
    from olm_data.perplexity.lm import PerplexityModel
    from olm_data.perplexity.normalize import split_lines

    docs = json.loads(Path(docs_path).read_text())
    model = PerplexityModel(lm)
    model.kenlm, model.sp  # load outside the timing  # noqa: B018
    cpu, wall = time.process_time(), time.perf_counter()
    ppl = [model.perplexity(d) for d in docs]
    cpu_all, wall_all = time.process_time() - cpu, time.perf_counter() - wall
    lines = [line for d in docs for line in split_lines(d)]
    pieces = [" ".join(p) for p in model.sp.encode(lines, out_type=str)]
    cpu = time.process_time()
    for sentence in pieces:
        model.kenlm.score(sentence)
    cpu_kenlm = time.process_time() - cpu
    return {
        "docs": len(docs),
        "lines": len(lines),
        "cpu_s": cpu_all,
        "wall_s": wall_all,
        "kenlm_cpu_s": cpu_kenlm,
        "median_ppl": statistics.median(ppl),
    }


def peak_rss_mib(pid: int | str = "self") -> float:
    """VmHWM of a process: its peak RSS since its exec (getrusage's ru_maxrss of a forked child would include
    the parent's memory at fork time, which Linux carries across exec)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_child(args: list[str]) -> tuple[dict, float]:
    """Run this script as a child; its JSON result and its peak RSS in MiB (it reports its own VmHWM)."""
    proc = subprocess.run([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"child {args} failed with status {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result, result.pop("peak_rss_mib")


def run_lmplz(lmplz: str, text: str, arpa: str, tmp: str) -> tuple[float, float, float]:
    """lmplz -o 5 --discount_fallback -S 1G on a text file: (CPU s, wall s, peak MiB, polled every 20 ms)."""
    wall = time.perf_counter()
    peak = 0.0
    with open(text, "rb") as stdin, open(os.devnull, "wb") as null:
        proc = subprocess.Popen(
            [lmplz, "-o", "5", "--discount_fallback", "-S", "1G", "-T", tmp, "--arpa", arpa],
            stdin=stdin,
            stderr=null,
        )
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # reaping it ourselves keeps its CPU times
            if pid:
                break
            try:
                peak = max(peak, peak_rss_mib(proc.pid))
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"lmplz failed with status {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - wall, peak


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--synthetic-tokens", type=int, default=50_000_000)
    parser.add_argument("--lmplz", default=os.environ.get("OLM_LMPLZ"), help="a KenLM lmplz binary to compare with")
    parser.add_argument("--work", help="keep intermediate files here (default: a temp folder)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "text":
            result = child_estimate_text(rest[0], int(rest[1]), rest[2])
        elif kind == "synthetic":
            result = child_estimate_synthetic(rest[0], int(rest[1]), rest[2])
        else:
            result = child_score(rest[0], rest[1])
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return

    import numpy as np

    from olm_data.perplexity.lm import train_lm
    from olm_data.perplexity.ngram import Vocabulary
    from olm_data.perplexity.normalize import split_lines

    work = Path(args.work or tempfile.mkdtemp(prefix="olm-ppl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    texts = shared_wikipedia_texts(Path(args.shared))
    lines = [line for t in texts for line in split_lines(t)]
    (work / "words.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with open(work / "wiki.jsonl", "w") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    lm = train_lm([work / "wiki.jsonl"], work / "lm", order=5, vocab_size=65536, sp_threads=1)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(lm / "sp.model"))
    (work / "pieces.txt").write_text(
        "\n".join(" ".join(p) for p in sp.encode(lines, out_type=str)) + "\n", encoding="utf-8"
    )
    print(f"Wikipedia sample: {len(texts)} articles, {len(lines)} lines; work folder {work}\n")

    rows = []
    for name, text in (("wiki words", work / "words.txt"), ("wiki SentencePiece", work / "pieces.txt")):
        result, rss = run_child(["text", str(text), "5", str(work / "ours.arpa")])
        rows.append((f"ours, {name}", result["tokens"], result["cpu_s"], result["wall_s"], rss, result["ngrams"]))
        if args.lmplz:
            cpu, wall, peak = run_lmplz(args.lmplz, str(text), str(work / "lmplz.arpa"), str(work))
            rows.append((f"lmplz, {name}", result["tokens"], cpu, wall, peak, None))

    # synthetic corpus: the sample's words as ids
    vocab = Vocabulary()
    ids, lengths = [], []
    for line in lines:
        words = [vocab.add(w) for w in line.split() if w not in ("<s>", "</s>", "<unk>")]
        ids.extend(words)
        lengths.append(len(words))
    np.savez(work / "base.npz", ids=np.array(ids), lengths=np.array(lengths), vocab=np.array(vocab.words))
    synthetic = {}
    if args.synthetic_tokens > 0:
        text = work / "synthetic.txt" if args.lmplz else None
        make_synthetic(work / "base.npz", args.synthetic_tokens, work / "synthetic.npz", text)
        result, rss = run_child(["synthetic", str(work / "synthetic.npz"), "5", str(work / "synthetic.arpa")])
        synthetic = result
        rows.append(
            ("ours, synthetic (ids)", result["tokens"], result["cpu_s"], result["wall_s"], rss, result["ngrams"])
        )
        if text is not None:
            cpu, wall, peak = run_lmplz(args.lmplz, str(text), str(work / "lmplz.arpa"), str(work))
            rows.append(("lmplz, synthetic (text)", result["tokens"], cpu, wall, peak, None))
            text.unlink()
        (work / "synthetic.arpa").unlink()

    print("| estimation (5-gram) | tokens | CPU s | wall s | tokens/s (CPU) | peak RSS MiB | n-grams |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, tokens, cpu, wall, rss, ngrams in rows:
        print(f"| {name} | {tokens:,} | {cpu:.1f} | {wall:.1f} | {tokens / cpu:,.0f} | {rss:.0f} | {ngrams or ''} |")
    if synthetic:
        print(
            f"\nsynthetic split (CPU s): count+merge {synthetic['count_cpu_s']:.1f}, estimate "
            f"{synthetic['estimate_cpu_s']:.1f}, ARPA {synthetic['arpa_cpu_s']:.1f} "
            f"({synthetic['arpa_bytes'] / 2**20:.0f} MiB)"
        )
    print(f"anchors: {ANCHORS['wiki']}; {ANCHORS['synthetic']}\n")

    docs = [d for t in texts for d in split_into_docs(t)]
    (work / "docs.json").write_text(json.dumps(docs))
    result, rss = run_child(["score", str(lm), str(work / "docs.json")])
    print(
        "| scoring (5-gram, SentencePiece, kenlm) | docs | lines | docs/s (CPU) | lines/s (CPU) | kenlm alone lines/s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| CCNet document perplexity | {result['docs']} | {result['lines']} | {result['docs'] / result['cpu_s']:,.0f} | "
        f"{result['lines'] / result['cpu_s']:,.0f} | {result['lines'] / result['kenlm_cpu_s']:,.0f} |"
    )
    print(f"median document perplexity {result['median_ppl']:.1f} (in-sample LM); anchor: {ANCHORS['kenlm']}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
