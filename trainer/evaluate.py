"""`olm-data eval glue|probe`: the command-line face of trainer/glue.py and trainer/probe.py.

Only argparse lives here at import time, so `olm-data --help` never imports torch or transformers.
"""

from __future__ import annotations

import argparse
import logging
import sys

from olm_data.errors import UsageError


def _floats(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers, got {text!r}")
    return values


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _setup(args: argparse.Namespace) -> None:
    """Progress lines on stderr unless the caller configured logging already; the torch CPU thread count."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("olm_data.trainer").setLevel(logging.INFO)
    if args.threads is not None:
        if args.threads < 1:
            raise UsageError("--threads must be >= 1")
        import torch

        torch.set_num_threads(args.threads)


def glue_command(args: argparse.Namespace) -> int:
    """Run the GLUE grid and print the card dict and the markdown table."""
    from olm_data.trainer.glue import BATCH_GRID, LR_GRID, GlueConfig, format_markdown, format_results_dict, run_glue

    _setup(args)
    if args.grid and args.batch_size is not None:
        raise UsageError("--grid already sweeps batch sizes 8..128: drop --batch-size or --grid")
    cfg = GlueConfig(
        model=args.model,
        data_dir=args.data_dir,
        tasks=[t for t in args.tasks.split(",") if t.strip()] if args.tasks else None,
        learning_rates=args.lr or LR_GRID,
        batch_sizes=BATCH_GRID if args.grid else (args.batch_size or (32,)),
        epochs=args.epochs,
        max_seq_len=args.max_seq_len,
        seeds=args.seeds,
        seed=args.seed,
        max_train_examples=args.max_train_examples,
        max_eval_examples=args.max_eval_examples,
        device=args.device,
        compile=args.compile,
        output=args.output,
        update_card=not args.no_card,
    )
    summary = run_glue(cfg)
    print(format_results_dict(summary["results"]))
    print()
    print(format_markdown(summary))
    return 0


def probe_command(args: argparse.Namespace) -> int:
    """Score the freshness prompts and print the per-year table (one column block per model)."""
    from olm_data.trainer.probe import format_tables, run_probe

    _setup(args)
    results = run_probe(
        args.model,
        prompts=args.prompts,
        output=args.output,
        top_k=args.top_k,
        batch_size=args.batch_size,
        device=args.device,
    )
    for res in results:
        skipped = res["skipped"]["multi_token_answer"]
        malformed = sum(res["malformed_lines"].values())
        print(
            f"{res['name']}: {skipped} prompt(s) skipped (answers not a single token), {malformed} malformed line(s)"
        )
    print(format_tables(results))
    return 0


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    """Register `eval` with its `glue` and `probe` subcommands."""
    ev = subparsers.add_parser("eval", help="evaluate a trained model: GLUE fine-tuning, freshness probe")
    sub = ev.add_subparsers(dest="eval_command", metavar="{glue,probe}")
    sub.required = True

    g = sub.add_parser(
        "glue",
        help="fine-tune on GLUE tasks and report the seed card's metric dict",
        description="Fine-tune one head per GLUE task (Google's compact-model recipe: 4 epochs, best of lr "
        "{3e-4,1e-4,5e-5,3e-5} at batch 32 on dev) and write eval/glue.json, eval/glue.md and the model card's "
        "## Evaluation section.",
    )
    g.add_argument("--model", required=True, help="HF model folder, e.g. runs/tiny/")
    g.add_argument("--data-dir", required=True, help="GLUE folder with CoLA/, SST-2/, MRPC/, STS-B/, ...")
    g.add_argument("--tasks", help="comma list of cola,sst2,mrpc,stsb,qqp,mnli,qnli,rte,wnli (default: all present)")
    g.add_argument("--grid", action="store_true", help="full grid: batch {8,16,32,64,128} x lr grid")
    g.add_argument("--seeds", type=int, default=1, help="runs per config; report mean +- std (default 1)")
    g.add_argument("--seed", type=int, default=42, help="first seed (default 42)")
    g.add_argument("--lr", type=_floats, help="comma list of learning rates (default 3e-4,1e-4,5e-5,3e-5)")
    g.add_argument("--batch-size", type=_ints, help="comma list of batch sizes (default 32)")
    g.add_argument("--epochs", type=float, default=4.0)
    g.add_argument("--max-seq-len", type=int, default=128)
    g.add_argument("--max-train-examples", type=int, help="seeded random subset of train rows, for quick runs")
    g.add_argument("--max-eval-examples", type=int, help="seeded random subset of dev rows, for quick runs")
    g.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda, cuda:1, ...")
    g.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="torch.compile with dynamic shapes (default: off, a tiny model fine-tunes faster than it compiles)",
    )
    g.add_argument("--output", help="folder for glue.json/glue.md (default: MODEL/eval/)")
    g.add_argument("--no-card", action="store_true", help="do not write the results into MODEL/README.md")
    g.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default: torch's choice); 1 is fastest for tiny models on a busy machine",
    )
    g.set_defaults(func=glue_command)

    p = sub.add_parser(
        "probe",
        help="freshness probe: dated cloze prompts scored top-1/top-5 per year",
        description="Score dated cloze prompts (events 2019-2022 and timeless controls) with one or more masked "
        "LMs; answers must be single tokens for a model's tokenizer, others are skipped and counted.",
    )
    p.add_argument("--model", required=True, nargs="+", help="one or more HF model folders to compare")
    p.add_argument("--prompts", help="JSONL of {prompt, answers, year, category} (default: the bundled file)")
    p.add_argument("--output", help="folder for probe.json/probe.md (default: MODEL/eval/)")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--device", default="auto")
    p.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default: torch's choice); 1 is fastest for tiny models on a busy machine",
    )
    p.set_defaults(func=probe_command)
