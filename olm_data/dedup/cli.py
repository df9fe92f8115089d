"""`olm-data dedup ...`: build cross-snapshot indexes and run exact or MinHash dedup on a parquet folder.

olm-data dedup index   --input OUT --snapshot CC-MAIN-2022-49 --output IDX [--tasks N]
olm-data dedup minhash --input IN --output OUT --work WORK [--index IDX ...] [--keep-changed]
olm-data dedup exact   --input IN --output OUT --work WORK [--keys url,text]
olm-data dedup params  [--threshold 0.7 --num-perm 112]
"""

from __future__ import annotations

import argparse
import json
import os


def add_cli(subparsers) -> None:
    """Register the `dedup` command group."""
    parser = subparsers.add_parser("dedup", help="exact and MinHash near-dedup, cross-snapshot indexes")
    sub = parser.add_subparsers(dest="dedup_command", metavar="{index,minhash,exact,params}")
    sub.required = True

    p = sub.add_parser("index", help="build a MinHash index of a published snapshot's parquet output")
    p.add_argument("--input", required=True, help="datatrove parquet folder of the published snapshot")
    p.add_argument("--snapshot", required=True, help="snapshot name recorded in every match, e.g. CC-MAIN-2022-49")
    p.add_argument("--output", required=True, help="new index folder (local or shared file system)")
    p.add_argument("--no-signatures", action="store_true", help="skip full signatures (smaller; no --keep-changed)")
    _add_run_args(p)
    _add_minhash_args(p)
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("minhash", help="MinHash near-dedup of a parquet folder, optionally against indexes")
    p.add_argument("--input", required=True, help="datatrove parquet folder to dedup")
    p.add_argument("--output", required=True, help="folder for the kept docs")
    p.add_argument(
        "--work",
        required=True,
        help="folder for intermediate files and the cluster report (local, shared or s3://...; then give --logs)",
    )
    p.add_argument("--index", action="append", default=[], help="index of an earlier snapshot (repeatable)")
    p.add_argument("--keep-changed", action="store_true", help="keep docs that changed beyond the threshold")
    p.add_argument("--snapshot", default=None, help="this snapshot's name, for the report")
    p.add_argument(
        "--parts-per-band",
        type=int,
        default=1,
        help="bucket units per band (memory per bucket task: ~30 bytes x docs / this)",
    )
    p.add_argument("--exclusion", default=None, help="write removed docs here, with duplicate_of_* metadata")
    _add_run_args(p)
    _add_minhash_args(p)
    p.set_defaults(func=_cmd_minhash)

    p = sub.add_parser("exact", help="exact URL (latest fetch kept) and normalized-text dedup")
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--keys", default="url,text", help="comma-separated: url, text, prefix, suffix (run in that order)")
    p.add_argument("--partitions", type=int, default=None, help="select tasks per key (default: --tasks)")
    _add_run_args(p)
    p.set_defaults(func=_cmd_exact)

    p = sub.add_parser("params", help="LSH S-curve of a bands x rows choice and datasketch's optimum")
    p.add_argument("--threshold", type=float, default=0.7)
    p.add_argument("--num-perm", type=int, default=112)
    p.add_argument("--bands", type=int, default=None)
    p.add_argument("--rows", type=int, default=None)
    p.set_defaults(func=_cmd_params)


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks", type=int, default=1, help="tasks for the per-document stages")
    p.add_argument("--workers", type=int, default=1, help="parallel worker processes")
    p.add_argument("--logs", default=None, help="datatrove logging folder (default: <work or output>/logs)")


def _add_minhash_args(p: argparse.ArgumentParser) -> None:
    # defaults come from MinhashConfig at run time (None here), so --help does not import numpy
    p.add_argument("--ngrams", type=int, default=None, help="words per shingle (default 5)")
    p.add_argument("--num-perm", type=int, default=None, help="permutations (default 112)")
    p.add_argument("--bands", type=int, default=None, help="LSH bands (default 14)")
    p.add_argument("--rows", type=int, default=None, help="rows per band (default 8)")
    p.add_argument("--seed", type=int, default=None, help="permutation seed (default 1)")
    p.add_argument("--threshold", type=float, default=None, help="Jaccard threshold (default 0.7)")
    p.add_argument(
        "--no-verify", action="store_true", help="keep LSH candidate pairs unchecked (more false positives)"
    )


def _config(args: argparse.Namespace):
    from olm_data.dedup.signatures import MinhashConfig

    given = {
        "n_grams": args.ngrams,
        "num_perm": args.num_perm,
        "bands": args.bands,
        "rows": args.rows,
        "seed": args.seed,
        "threshold": args.threshold,
    }
    return MinhashConfig(**{k: v for k, v in given.items() if v is not None}, verify=not args.no_verify)


def _check_input(path: str) -> None:
    from olm_data.errors import UsageError
    from olm_data.readers.remote import is_url

    if not is_url(path) and not os.path.isdir(path):
        raise UsageError(f"input folder {path} does not exist")


def _cmd_index(args: argparse.Namespace) -> int:
    from olm_data.dedup.index import build_index

    _check_input(args.input)
    meta = build_index(
        args.input,
        args.output,
        args.snapshot,
        tasks=args.tasks,
        workers=args.workers,
        config=_config(args),
        keep_signatures=not args.no_signatures,
        logging_dir=args.logs,
    )
    print(
        f"index of {meta['snapshot']}: {meta['num_docs']} docs, "
        f"{meta['bytes_per_doc']['total']} bytes/doc ({json.dumps(meta['bytes_per_doc'])}) in {args.output}"
    )
    return 0


def _cmd_minhash(args: argparse.Namespace) -> int:
    from olm_data.dedup.minhash import minhash_stages, summarize
    from olm_data.dedup.runner import run_stages

    _check_input(args.input)
    config = _config(args)
    stages = minhash_stages(
        args.input,
        args.output,
        args.work,
        args.tasks,
        config=config,
        index_folders=args.index,
        keep_changed=args.keep_changed,
        parts_per_band=args.parts_per_band,
        snapshot=args.snapshot,
        exclusion_folder=args.exclusion,
    )
    run_stages(stages, args.logs or os.path.join(args.work, "logs"), tasks=args.tasks, workers=args.workers)
    s = summarize(args.work)
    print(
        f"minhash ({config.describe()}): {s['clusters']} clusters, kept {s['kept']}, removed {s['duplicate']} "
        f"near duplicates and {s['old_duplicate']} duplicates of earlier snapshots; "
        f"report: {os.path.join(args.work, 'minhash', 'clusters.tsv')}"
    )
    return 0


def _cmd_exact(args: argparse.Namespace) -> int:
    from olm_data.dedup.exact import exact_dedup_stages
    from olm_data.dedup.runner import run_stages

    _check_input(args.input)
    keys = [k.strip() for k in args.keys.split(",") if k.strip()]
    stages = exact_dedup_stages(args.input, args.output, args.work, args.tasks, keys=keys, partitions=args.partitions)
    run_stages(stages, args.logs or os.path.join(args.work, "logs"), tasks=args.tasks, workers=args.workers)
    print(f"exact dedup ({', '.join(keys)}) done: {args.output}")
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
    from olm_data.dedup.signatures import MinhashConfig, optimal_bands_rows

    b_opt, r_opt = optimal_bands_rows(args.threshold, args.num_perm)
    bands = args.bands or b_opt
    rows = args.rows or r_opt
    config = MinhashConfig(num_perm=args.num_perm, bands=bands, rows=rows, threshold=args.threshold)
    print(
        f"datasketch optimal_param(threshold={args.threshold}, num_perm={args.num_perm}): {b_opt} bands x {r_opt} rows"
    )
    print(config.describe())
    return 0
