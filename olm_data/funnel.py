"""Where a run's documents went, read from its merged `stats.json`: for the console, the report and the Hub card.

* `pipelines(stats)`: a run's stages grouped by the pipeline they belong to. A pipeline starts at a stage that
  reads raw input (its first step is a reader other than the Parquet reader of an earlier stage's output), so
  `--sample` of the CC pipeline, which runs the Wikipedia pipeline first, has two funnels, not one.
* `drop_reasons(counts)`: a step's `dropped_*` counters. Each is one reason; breakdowns of a reason are named
  otherwise (the perplexity sampler's `bucket_<bucket>_dropped`), so adding them up counts every drop once.
* `input_health(stats)`: the damage and loss counters of the readers and the extractor (`DAMAGE_KEYS`), summed
  over every task: with `--tasks` > 1 most of the warnings are only in the per-task logs, the counts are here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

# Counters of input that was damaged, unreadable or lost (readers, fetches, extraction), as opposed to input
# that was read and deliberately skipped (`skipped_*`) or filtered (`dropped_*`).
DAMAGE_KEYS = (
    "missing_file",  # a remote file given up on under --allow-missing (olm_data.readers.remote)
    "unreadable_file",
    "http_retries",  # remote reads retried (throttling, cut or stalled transfers); nothing lost
    "http_resumes",  # ... and resumed with a Range request
    "http_range_ignored",  # ... from a server that ignored Range (re-read and skipped)
    "empty_file",
    "truncated_file",
    "reader_error",
    "bad_gzip_member",
    "garbage_skipped",
    "unknown_format",
    "bad_record",
    "bad_content_length",
    "bad_http_headers",
    "bad_encoding",
    "bad_chunked_encoding",
    "bad_content_encoding",
    "bad_index",
    "bad_index_line",
    "bad_siteinfo",
    "bad_page",
    "bad_wikitext",
    "oversized_page",
    "timeout",
    "stalled",
    "extract_error",
    "sandbox_failed",
    "broken_process",
)
CORPUS_READER = "READER: Parquet"  # how stats.json names a stage's read of an earlier stage's output


def docs_out(step: dict[str, Any]) -> int:
    """Documents a step passed on: `forwarded` for filters, else the documents it measured (0 when it saw none)."""
    counts = step.get("counts", {})
    if "forwarded" in counts:
        return int(counts["forwarded"])
    return int(step.get("docs") or 0)


def drop_reasons(counts: dict[str, int]) -> dict[str, int]:
    """{reason: count} of a step's non-zero `dropped_<reason>` counters."""
    return {k.removeprefix("dropped_"): int(v) for k, v in sorted(counts.items()) if k.startswith("dropped_") and v}


def reads_input(steps: list[dict[str, Any]]) -> bool:
    """Whether a stage starts by reading raw input (a WARC, a dump) rather than an earlier stage's corpus."""
    return bool(steps) and steps[0]["step"].startswith("READER") and steps[0]["step"] != CORPUS_READER


def pipelines(stats: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The stages grouped by pipeline, in run order, each named after its input reader (e.g. "Common Crawl WARC")."""
    groups: list[tuple[str, dict[str, Any]]] = []
    for stage, steps in stats.items():
        if reads_input(steps) or not groups:
            label = steps[0]["step"].removeprefix("READER:").strip() if reads_input(steps) else stage
            groups.append((label, {}))
        groups[-1][1][stage] = steps
    return groups


def pipeline_outcome(stats: dict[str, Any]) -> dict[str, Any]:
    """One pipeline's documents: read from the input, in its last written output, and every drop by reason."""
    read = sum(docs_out(steps[0]) for steps in stats.values() if reads_input(steps))
    files = sum(int(steps[0]["counts"].get("input_files", 0)) for steps in stats.values() if reads_input(steps))
    written = [step for steps in stats.values() for step in steps if step["step"].startswith("WRITER")]
    drops: Counter = Counter()
    for steps in stats.values():
        for step in steps:
            drops.update(drop_reasons(step.get("counts", {})))
    return {"read": read, "input_files": files, "output": docs_out(written[-1]) if written else 0, "drops": drops}


def documents_summary(stats: dict[str, Any]) -> tuple[str, int]:
    """The one line that says where the documents went, and the documents read from the inputs in all."""
    parts, total_read = [], 0
    for label, group in pipelines(stats):
        o = pipeline_outcome(group)
        total_read += o["read"]
        text = f"{label}: {o['read']} read from {o['input_files']} input file(s) -> {o['output']} in the output"
        if o["drops"]:
            text += " (dropped: " + ", ".join(f"{r} {n}" for r, n in o["drops"].most_common()) + ")"
        parts.append(text)
    return "documents: " + ("; ".join(parts) or "no stage reported any"), total_read


def input_health(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Every non-zero damage counter: [{stage, step, reason, count}], in run order."""
    rows = []
    for stage, steps in stats.items():
        for step in steps:
            for key in DAMAGE_KEYS:
                if count := int(step.get("counts", {}).get(key, 0)):
                    rows.append({"stage": stage, "step": step["step"], "reason": key, "count": count})
    return rows


def input_health_summary(stats: dict[str, Any], output: Any = None) -> str:
    """The count per damage reason over all stages and tasks (or that nothing was damaged or lost), then, with the
    run's `output`, the first few places of each (file @ offset), whichever task met them."""
    totals: Counter = Counter()
    for row in input_health(stats):
        totals[row["reason"]] += row["count"]
    if not totals:
        return "input health: no damaged, unreadable or lost input"
    lines = [
        "input health: "
        + ", ".join(f"{reason} {n}" for reason, n in totals.most_common())
        + " (details: report.html, OUT/logs/<stage>/logs/task_*.log)"
    ]
    places = damage_locations(output) if output is not None else {}
    for reason, _ in totals.most_common():
        lines += [f"  {reason}: {place}" for place in places.get(reason, [])]
    return "\n".join(lines)


def print_outcome(stats: dict[str, Any], output: Any = None) -> int:
    """End of a run on the console: input health and where the documents went; the run's exit code.

    Inputs that yielded no document at all are a usage problem (wrong files, `--limit 0`): exit code 2, with the
    line on stderr. Filters that dropped every document are a result: exit code 0.
    """
    import sys

    print(input_health_summary(stats, output))
    line, read = documents_summary(stats)
    if read == 0 and any(reads_input(steps) for steps in stats.values()):  # a stage read raw input: it got nothing
        print(f"olm-data: error: the inputs yielded no documents; {line}", file=sys.stderr)
        return 2
    print(line)
    return 0


#: damage locations a task keeps (the first of each kind per file, logged as warnings): enough to find the files
MAX_DAMAGE_SAMPLES = 20


def record_damage(step: Any, reason: str, where: str, detail: str) -> None:
    """Keep where a reader met damage (`step.damage_samples`, at most MAX_DAMAGE_SAMPLES per task): the executor
    writes them to `logs/<stage>/damage/<rank>.json`, so the end of the run can say where, across all tasks."""
    samples = step.__dict__.setdefault("damage_samples", [])
    if len(samples) < MAX_DAMAGE_SAMPLES:
        samples.append({"reason": reason, "where": where, "detail": detail[:200]})


def damage_locations(output: Any, per_reason: int = 3) -> dict[str, list[str]]:
    """{reason: the first `per_reason` places ("file @ offset: detail")} over every task of every stage."""
    found: dict[str, list[str]] = {}
    for _, entry in task_records(output, "damage"):
        places = found.setdefault(str(entry.get("reason")), [])
        if len(places) < per_reason:
            detail = f": {entry['detail']}" if entry.get("detail") else ""
            places.append(f"{entry.get('where')}{detail}")
    return found


def lost_files(output: Any) -> list[dict[str, Any]]:
    """The remote files a run gave up on under `--allow-missing`, from `logs/<stage>/missing/<rank>.json`
    (olm_data.executors): [{"stage", "file", "reason", "status"}]."""
    return [{"stage": stage, **entry} for stage, entry in task_records(output, "missing")]


def task_records(output: Any, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(stage, entry) of every `logs/<stage>/<kind>/<rank>.json` the executor wrote (olm_data.executors), in order."""
    import json
    from pathlib import Path

    records = []
    for path in sorted(Path(output).glob(f"logs/*/{kind}/*.json")):
        try:
            entries = json.loads(path.read_text())
        except (OSError, ValueError):  # a task killed while writing it: the others still count
            continue
        records += (
            [(path.parent.parent.name, e) for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
        )
    return records
