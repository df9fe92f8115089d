"""`olm-data lm train` and `olm-data lm score`: the reference n-gram LM from the command line.

Also `add_sampling_arguments`, the perplexity flags a pipeline file can offer (`--lm`, `--perplexity-mode`, ...).
Heavy imports stay inside the command functions so `olm-data --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_cli", "add_sampling_arguments"]


def add_cli(subparsers: Any) -> None:
    """Register `lm train` and `lm score`."""
    lm = subparsers.add_parser(
        "lm",
        help="train or try the reference n-gram LM used for perplexity sampling",
        description="The reference LM: CCNet normalization, SentencePiece, 5-gram modified Kneser-Ney (lmplz-style).",
    )
    commands = lm.add_subparsers(dest="lm_command", metavar="COMMAND")
    lm.set_defaults(func=lambda args: _print_help(lm))

    train = commands.add_parser(
        "train",
        help="train an LM folder (card.json, model.arpa, sp.model) on documents",
        description="Train SentencePiece and a modified Kneser-Ney n-gram LM on documents (e.g. the Wikipedia "
        "pipeline's output), written as an LM folder that scoring and `--lm` accept.",
    )
    train.add_argument(
        "--input", nargs="+", required=True, help="parquet folder(s)/files (column text), .jsonl[.gz], .txt"
    )
    train.add_argument("--output", required=True, help="LM folder to write, e.g. lm/")
    train.add_argument("--order", type=int, default=5, help="n-gram order (default: 5)")
    train.add_argument("--vocab-size", type=int, default=65536, help="SentencePiece vocabulary (default: 65536)")
    train.add_argument(
        "--prune",
        type=int,
        nargs="+",
        metavar="N",
        help="lmplz-style pruning thresholds per order, e.g. 0 0 1 drops trigrams and up seen once (default: none)",
    )
    train.add_argument(
        "--no-discount-fallback",
        dest="discount_fallback",
        action="store_false",
        help="fail instead of using fallback discounts (0.5 1 1.5) when counts are degenerate",
    )
    train.add_argument("--seed", type=int, default=0, help="SentencePiece sampling seed (default: 0)")
    train.add_argument("--max-docs", type=int, help="read at most N documents")
    train.add_argument("--sp-sentences", type=int, default=1_000_000, help="lines SentencePiece trains on")
    train.add_argument("--sp-threads", type=int, default=4, help="SentencePiece threads (the model depends on it)")
    train.set_defaults(func=_train)

    score = commands.add_parser(
        "score",
        help="print the CCNet perplexity of documents or texts with an LM folder",
        description="Score documents with an LM folder: ours or any folder with one KenLM model (*.arpa, *.bin) "
        "and one SentencePiece model (*.model).",
    )
    score.add_argument("--lm", required=True, help="LM folder")
    score.add_argument("--input", nargs="+", help="documents: parquet folder/files, .jsonl[.gz], .txt (one per line)")
    score.add_argument("--text", nargs="+", help="texts to score")
    score.add_argument("--limit", type=int, default=20, help="score at most N documents from --input (default: 20)")
    score.set_defaults(func=_score)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _train(args: argparse.Namespace) -> int:
    from olm_data.perplexity.lm import train_lm

    out = train_lm(
        args.input,
        args.output,
        order=args.order,
        vocab_size=args.vocab_size,
        prune=args.prune,
        discount_fallback=args.discount_fallback,
        seed=args.seed,
        max_docs=args.max_docs,
        sp_sentences=args.sp_sentences,
        sp_threads=args.sp_threads,
    )
    print(out / "card.json")
    return 0


def _score(args: argparse.Namespace) -> int:
    import itertools

    from olm_data.errors import UsageError
    from olm_data.perplexity.lm import PerplexityModel, iter_documents

    if not args.input and not args.text:
        raise UsageError("give --input files or --text to score")
    model = PerplexityModel(args.lm)
    texts = list(args.text or [])
    if args.input:
        texts += list(itertools.islice(iter_documents(args.input), args.limit))
    for text in texts:
        ppl = model.perplexity(text)
        preview = " ".join(text.split())[:80]
        sys.stdout.write(f"{'-' if ppl is None else f'{ppl:.1f}'}\t{preview}\n")
    return 0


def add_sampling_arguments(parser: Any) -> None:
    """The perplexity flags for a pipeline file's `add_arguments` (values land in `run.options`)."""
    parser.add_argument("--lm", help="LM folder for perplexity (olm-data lm train output, or KenLM + SentencePiece)")
    parser.add_argument(
        "--perplexity-mode",
        choices=["cutoff", "buckets", "gaussian", "stepwise"],
        default="gaussian",
        help="perplexity sampling (default: gaussian)",
    )
    parser.add_argument("--target-ratio", type=float, default=0.5, help="fraction kept by gaussian/stepwise (0.5)")
    parser.add_argument(
        "--perplexity-cutoff", type=float, help="highest perplexity kept with --perplexity-mode cutoff"
    )
    parser.add_argument(
        "--keep-buckets",
        nargs="+",
        choices=["head", "middle", "tail"],
        default=["head", "middle"],
        help="CCNet buckets kept with --perplexity-mode buckets (default: head middle)",
    )
