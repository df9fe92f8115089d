"""Lineage: `OUT/manifest.json` says what went in, how, with what, and what came out; `olm-data verify OUT` checks it.

Written at the end of every `olm-data run` (`olm_data.runtime.finalize_output`), in two steps so a SLURM run can
hash on a compute node: `plan_manifest` (where the run starts: command, config, input and model paths, package
versions) and `write_manifest` (at the end: sha256 of inputs, models and every output file).

Contents of manifest.json (format `olm-data-manifest/1`):
    command, config (the RunContext and executor settings), pipeline (path + sha256), stages (name, kind, tasks,
    steps, folders written), inputs (local files: path, bytes, sha256; a Common Crawl snapshot: its name, sample
    ratio, seed and the sampled WARC list; URLs: listed), models ({name: path, bytes, sha256}), packages (every
    installed distribution), final_output (the folder `olm-data hub export` reads), outputs (every file under
    OUT except logs/, stats.json, manifest.json and report.html: bytes, sha256, docs for parquet/jsonl shards).

How a step declares what it reads and uses, so new steps show up without editing this file:
    `manifest_inputs() -> list[str]` (paths/URLs it reads) and `manifest_models() -> dict[str, str]`
    ({name: local path}). Without them, known attributes are looked at: `list_files()`/`inputs` (WARC reader),
    `data`/`index` (Wikipedia reader), `data_folder` (datatrove readers), and any attribute named like a model
    path (`model_path`, `lm_path`, `tokenizer_path`, ...). Pipelines and actions can also call
    `run.declare_model(name, path)`.
"""

from __future__ import annotations

import argparse
import copy
import glob
import gzip
import hashlib
import json
import os
import platform
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

FORMAT = "olm-data-manifest/1"
MANIFEST_NAME = "manifest.json"
#: top-level names under OUT that are not outputs: logs, and the files the end of a run writes about the outputs
NOT_OUTPUTS = ("logs", MANIFEST_NAME, "stats.json", "report.html")
#: local inputs larger than this in total are listed with sizes but not hashed (hashing a 90 TB crawl is not useful)
MAX_HASHED_INPUT_BYTES = 64 * 2**30
_SNAPSHOT = re.compile(r"^CC-MAIN-\d{4}-\d{2}$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_MODEL_ATTR = re.compile(r"(^|_)(model|lm|tokenizer|sp_model|sentencepiece)(_path|_file|_folder|_dir)?$")
_HASH_THREADS = 4


# ------------------------------------------------------------------------------------------------- hashing
def sha256_file(path: str | os.PathLike, block: int = 1 << 20) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(block):
            h.update(chunk)
    return h.hexdigest()


def _hash_many(paths: list[Path]) -> list[str]:
    """sha256 of many files on a few threads (hashlib releases the GIL while it hashes)."""
    if len(paths) < 2:
        return [sha256_file(p) for p in paths]
    with ThreadPoolExecutor(_HASH_THREADS) as pool:
        return list(pool.map(sha256_file, paths))


def describe_path(path: str | os.PathLike) -> dict[str, Any]:
    """{path, bytes, sha256} of a file; a folder gets one sha256 over its files' names and hashes, plus the list."""
    p = Path(path)
    if p.is_file():
        return {"path": str(p.resolve()), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file())
        hashes = _hash_many(files)
        rels = [f.relative_to(p).as_posix() for f in files]
        digest = hashlib.sha256("".join(f"{h}  {r}\n" for r, h in zip(rels, hashes, strict=True)).encode())
        return {
            "path": str(p.resolve()),
            "bytes": sum(f.stat().st_size for f in files),
            "sha256": digest.hexdigest(),
            "files": dict(zip(rels, hashes, strict=True)),
        }
    return {"path": str(path), "missing": True}


def count_docs(path: Path) -> int | None:
    """Documents in an output shard: parquet rows (from the footer), or lines of a .jsonl[.gz]; None otherwise."""
    name = path.name
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows
        if name.endswith((".jsonl", ".jsonl.gz")):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                return sum(1 for _ in f)
    except Exception:  # a damaged shard is still listed (bytes + sha256); verify will show if it changes
        return None
    return None


def output_files(output: Path) -> list[Path]:
    """Every file under OUT that the run produced as output (sorted), leaving out logs and the run's own reports."""
    files = []
    for top in sorted(output.iterdir()) if output.is_dir() else []:
        if top.name in NOT_OUTPUTS or top.name.startswith("."):
            continue
        if top.is_file():
            files.append(top)
        else:
            files.extend(f for f in sorted(top.rglob("*")) if f.is_file() and not f.name.startswith("."))
    return files


def describe_outputs(output: Path) -> dict[str, dict[str, Any]]:
    """{relative path: {bytes, sha256, docs}} for every output file."""
    files = output_files(output)
    hashes = _hash_many(files)
    out = {}
    for f, h in zip(files, hashes, strict=True):
        entry: dict[str, Any] = {"bytes": f.stat().st_size, "sha256": h}
        docs = count_docs(f)
        if docs is not None:
            entry["docs"] = docs
        out[f.relative_to(output).as_posix()] = entry
    return out


# ------------------------------------------------------------------------------------------------- plan
def plan_manifest(stages: list[Any], run: Any) -> dict[str, Any]:
    """What can be known where the run starts, without hashing: command, config, inputs, models, packages."""
    from olm_data import __version__

    pipeline = Path(run.pipeline)
    return {
        "format": FORMAT,
        "olm_data_version": __version__,
        "command": list(run.command),
        "cwd": os.getcwd(),
        "config": run_config(run),
        "pipeline": {"path": str(pipeline.resolve()), "sha256": sha256_file(pipeline) if pipeline.is_file() else None},
        "stages": [_stage_entry(s, run) for s in stages],
        "inputs": collect_inputs(stages, run),
        "models": collect_models(stages, run),
        "final_output": final_output(stages, run),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def run_config(run: Any) -> dict[str, Any]:
    """The RunContext as JSON: everything that decides what the run does."""
    fields = ("output", "input", "sample", "tasks", "workers", "limit", "seed", "keep_rejected", "lid_model")
    config = {k: _jsonable(getattr(run, k, None)) for k in fields}
    config["options"] = _jsonable(dict(getattr(run, "options", {})))
    config["executor"] = _jsonable(dict(getattr(run, "executor", {})))
    return config


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _stage_entry(stage: Any, run: Any) -> dict[str, Any]:
    if stage.action is not None:
        return {
            "name": stage.name,
            "kind": "action",
            "action": getattr(stage.action, "__qualname__", str(stage.action)),
        }
    return {
        "name": stage.name,
        "kind": "datatrove",
        "tasks": stage.tasks or run.tasks,
        "steps": [getattr(s, "name", type(s).__name__) for s in stage.steps],
        "writes": [_rel(run.output, f) for f in _writer_folders(stage.steps)],
    }


def _writer_folders(steps: list[Any]) -> list[str]:
    """Local folders written by datatrove writers among `steps` (main writers, then exclusion writers)."""
    from datatrove.pipeline.writers.disk_base import DiskWriter

    folders = []
    for step in steps:
        for w in (step, getattr(step, "exclusion_writer", None)):
            if isinstance(w, DiskWriter) and w.output_folder.is_local():
                folders.append(w.output_folder.path)
    return folders


def _rel(output: Path, folder: str) -> str:
    try:
        return Path(folder).resolve().relative_to(Path(output).resolve()).as_posix()
    except ValueError:
        return str(folder)


def final_output(stages: list[Any], run: Any) -> str | None:
    """The folder (relative to OUT) of the last datatrove writer of the last stage that writes one: the corpus."""
    from datatrove.pipeline.writers.disk_base import DiskWriter

    for stage in reversed(stages):
        if stage.action is not None:
            continue
        writers = [s for s in stage.steps if isinstance(s, DiskWriter) and s.output_folder.is_local()]
        if writers:
            return _rel(run.output, writers[-1].output_folder.path)
    return None


def collect_inputs(stages: list[Any], run: Any) -> list[dict[str, Any]]:
    """The run's external inputs: local files (hashed later), URLs, and Common Crawl snapshots with their sample."""
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    output = str(Path(run.output).resolve())

    def add_path(item: str) -> None:
        if _URL.match(item) and not item.startswith("file://"):
            if item not in seen:
                seen.add(item)
                entries.append({"url": item})
            return
        item = item.removeprefix("file://")
        matches = sorted(glob.glob(os.path.expanduser(item))) or [item]
        for m in matches:
            p = Path(m)
            files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
            for f in files:
                full = str(f.resolve())
                if full.startswith(output + os.sep) or full in seen:
                    continue  # a stage reading what an earlier stage wrote is not an input of the run
                seen.add(full)
                entries.append({"path": full})

    for stage in stages:
        for step in stage.steps if stage.action is None else []:
            try:
                _step_inputs(step, add_path, entries)
            except UsageError:
                raise
            except Exception as e:  # listing inputs must not stop a run; say what could not be listed
                entries.append(
                    {"step": getattr(step, "name", type(step).__name__), "error": f"{type(e).__name__}: {e}"}
                )
    return entries


def _step_inputs(step: Any, add_path: Any, entries: list[dict[str, Any]]) -> None:
    hook = getattr(step, "manifest_inputs", None)
    if callable(hook):
        for item in hook():
            add_path(os.fspath(item))
        return
    inputs = getattr(step, "inputs", None)
    if callable(getattr(step, "list_files", None)) and isinstance(inputs, list):
        listed = step.list_files()
        snapshots = [i for i in inputs if isinstance(i, str) and _SNAPSHOT.match(i)]
        if not snapshots:
            for path, _ in listed:
                add_path(path)
            return
        # files given explicitly are listed (and hashed) as files; the rest is the snapshot's seeded sample.
        # (One list_files() call for all: the reader draws every snapshot's sample from one seeded stream.)
        explicit = copy.copy(step)
        explicit.inputs = [i for i in inputs if i not in snapshots]
        explicit_files = [p for p, _ in explicit.list_files()] if explicit.inputs else []
        explicit_set = set(explicit_files)
        for snap in snapshots:
            entries.append(
                {
                    "snapshot": snap,
                    "sample_ratio": step.ratio_for(snap) if hasattr(step, "ratio_for") else None,
                    "seed": getattr(step, "seed", None),
                    "base_url": getattr(step, "base_url", None),
                    "files": [p for p, s in listed if s == snap and p not in explicit_set],
                }
            )
        for path in explicit_files:
            add_path(path)
        return
    data = getattr(step, "data", None)
    if isinstance(data, str | os.PathLike):
        add_path(os.fspath(data))
        index = getattr(step, "index", None)
        if isinstance(index, str | os.PathLike):
            add_path(os.fspath(index))
        elif index is None and Path(os.fspath(data)).is_file():
            try:
                from olm_data.readers.wikipedia import default_index_path

                guess = default_index_path(os.fspath(data))
            except ImportError:
                guess = None
            if guess and Path(guess).is_file():
                add_path(guess)
        return
    folder = getattr(step, "data_folder", None)
    if folder is not None and hasattr(folder, "is_local"):
        if folder.is_local():
            add_path(folder.path)
        else:
            add_path(folder.unstrip_protocol(folder.path) if hasattr(folder, "unstrip_protocol") else str(folder.path))


def collect_models(stages: list[Any], run: Any) -> dict[str, str]:
    """{name: local path} of every model the run uses: declared by the run or its steps, or found on model attributes."""
    models: dict[str, str] = {}
    for stage in stages:
        for step in stage.steps if stage.action is None else []:
            for candidate in (step, getattr(step, "exclusion_writer", None)):
                if candidate is None:
                    continue
                step_name = re.sub(r"[^\x20-\x7e]", "", getattr(candidate, "name", type(candidate).__name__)).strip()
                hook = getattr(candidate, "manifest_models", None)
                if callable(hook):
                    for name, path in hook().items():
                        models.setdefault(f"{stage.name}/{step_name}/{name}", os.fspath(path))
                    continue
                for attr, value in sorted(vars(candidate).items()):
                    if _MODEL_ATTR.search(attr.lstrip("_")) and isinstance(value, str | os.PathLike):
                        if Path(os.fspath(value)).exists():
                            models.setdefault(f"{stage.name}/{step_name}/{attr.lstrip('_')}", os.fspath(value))
    for name, path in getattr(run, "models", {}).items():
        models[name] = os.fspath(path)
    # the same model used by two steps is listed once, under its first name
    unique: dict[str, str] = {}
    for name, path in models.items():
        if os.path.realpath(path) not in {os.path.realpath(p) for p in unique.values()}:
            unique[name] = path
    return unique


def package_versions() -> dict[str, str]:
    """Every installed distribution and its version (what `pip freeze` would say), sorted by name."""
    from importlib.metadata import distributions

    versions = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            versions[name.lower()] = dist.version
    return dict(sorted(versions.items()))


# ------------------------------------------------------------------------------------------------- write
def write_manifest(output: str | os.PathLike, plan: dict[str, Any]) -> Path:
    """Hash inputs, models and outputs, and write OUT/manifest.json (atomically). Returns its path."""
    output = Path(output)
    manifest = dict(plan) if plan else {"format": FORMAT}
    manifest["created"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest["inputs"] = _hash_inputs(plan.get("inputs", []) if plan else [])
    manifest["models"] = {name: describe_path(path) for name, path in (plan or {}).get("models", {}).items()}
    outputs = describe_outputs(output)
    manifest["outputs"] = outputs
    manifest["output_folders"] = _folder_summary(outputs)
    path = output / MANIFEST_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _hash_inputs(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    local = [Path(e["path"]) for e in entries if "path" in e and Path(e["path"]).is_file()]
    total = sum(p.stat().st_size for p in local)
    hashed = dict(zip(local, _hash_many(local), strict=True)) if total <= MAX_HASHED_INPUT_BYTES else {}
    out = []
    for e in entries:
        e = dict(e)
        if "path" in e:
            p = Path(e["path"])
            if p.is_file():
                e["bytes"] = p.stat().st_size
                if p in hashed:
                    e["sha256"] = hashed[p]
                else:
                    e["sha256"] = None
                    e["not_hashed"] = f"inputs total {total} bytes, over {MAX_HASHED_INPUT_BYTES}"
            else:
                e["missing"] = True
        out.append(e)
    return out


def _folder_summary(outputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for rel, entry in outputs.items():
        top = rel.split("/", 1)[0] if "/" in rel else "."
        s = summary.setdefault(top, {"files": 0, "bytes": 0, "docs": 0})
        s["files"] += 1
        s["bytes"] += entry["bytes"]
        s["docs"] += entry.get("docs", 0)
    return summary


def load_manifest(output: str | os.PathLike) -> dict[str, Any]:
    """OUT/manifest.json, or a UsageError saying there is none."""
    path = Path(output) / MANIFEST_NAME
    if not path.is_file():
        raise UsageError(f"no {MANIFEST_NAME} in {output} (it is written at the end of `olm-data run`)")
    try:
        return json.loads(path.read_text())
    except ValueError as e:
        raise UsageError(f"{path} is not valid JSON: {e}") from None


# ------------------------------------------------------------------------------------------------- verify
def verify(output: str | os.PathLike, outputs_only: bool = False) -> tuple[list[str], dict[str, int]]:
    """Re-hash what manifest.json lists and compare.

    Returns:
        (drift, counts): one line per difference (changed, missing or unlisted output file; changed or missing
        model or local input), and how many outputs/models/inputs were checked.
    """
    output = Path(output)
    manifest = load_manifest(output)
    listed: dict[str, dict[str, Any]] = manifest.get("outputs", {})
    drift: list[str] = []
    present = {f.relative_to(output).as_posix(): f for f in output_files(output)}
    to_hash = [rel for rel in sorted(listed) if rel in present]
    hashes = dict(zip(to_hash, _hash_many([present[r] for r in to_hash]), strict=True))
    for rel in sorted(listed):
        want = listed[rel]
        if rel not in present:
            drift.append(f"missing   {rel}")
        elif hashes[rel] != want.get("sha256"):
            size = present[rel].stat().st_size
            drift.append(
                f"changed   {rel}  sha256 {want.get('sha256', '?')[:12]} -> {hashes[rel][:12]}, "
                f"bytes {want.get('bytes')} -> {size}"
            )
    for rel in sorted(set(present) - set(listed)):
        drift.append(f"unlisted  {rel}  (not in {MANIFEST_NAME})")
    counts = {"outputs": len(listed), "models": 0, "inputs": 0}
    if outputs_only:
        return drift, counts
    for name, entry in manifest.get("models", {}).items():
        counts["models"] += 1
        path = entry.get("path")
        if entry.get("missing") or not path:
            continue
        if not Path(path).exists():
            drift.append(f"missing   model {name}: {path}")
        elif describe_path(path).get("sha256") != entry.get("sha256"):
            drift.append(f"changed   model {name}: {path}")
    for entry in manifest.get("inputs", []):
        path, want = entry.get("path"), entry.get("sha256")
        if not path or entry.get("missing"):
            continue
        counts["inputs"] += 1
        if not Path(path).is_file():
            drift.append(f"missing   input {path}")
        elif Path(path).stat().st_size != entry.get("bytes") or (want and sha256_file(path) != want):
            drift.append(f"changed   input {path}")
    return drift, counts


def add_cli(subparsers: Any) -> None:
    """`olm-data verify OUT`."""
    p = subparsers.add_parser(
        "verify",
        help="re-hash an output folder against its manifest.json; exit 1 on drift",
        description="Re-hash every output file, model and local input listed in OUT/manifest.json and report what "
        "changed, went missing or appeared. Exit code 0: all match; 1: drift.",
    )
    p.add_argument("output", help="an output folder of `olm-data run`")
    p.add_argument("--outputs-only", action="store_true", help="check the output files only (not models/inputs)")
    p.set_defaults(func=_cmd_verify)


def _cmd_verify(args: argparse.Namespace) -> int:
    drift, counts = verify(args.output, outputs_only=args.outputs_only)
    for line in drift:
        print(line)
    checked = f"{counts['outputs']} output files, {counts['models']} models, {counts['inputs']} local inputs"
    if drift:
        print(f"verify: DRIFT in {args.output}: {len(drift)} difference(s) ({checked} checked)", file=sys.stderr)
        return 1
    print(f"verify: OK: {checked} match {Path(args.output) / MANIFEST_NAME}")
    return 0
