"""Freshness probe: dated cloze prompts scored top-1/top-5 per year, to compare how current two models are.

A model trained on a December-2022 snapshot should fill "The Covid-19 [MASK] is global." with "pandemic" and
know Qatar hosted the 2022 World Cup; one trained on 2018 text should not. Timeless controls (capitals, science
facts) separate "knows less about recent years" from "knows less overall".

Prompt file: JSONL, one object per line: {"id": "...", "prompt": "... [MASK] ...", "answers": ["pandemic"],
"year": 2020, "category": "event"} (controls: "category": "control", "year": null). The bundled file,
trainer/data/probe_prompts.jsonl, was written for this project.

Scoring: the model's distribution at the [MASK] position, special tokens excluded, ranked. Only answers that the
model's tokenizer encodes as ONE token can be scored; a prompt whose answers are all multi-token (or unknown) for
this tokenizer is skipped and counted (`skipped`). Tokenizers differ, so with several models a second table
scores only the prompts every model can score: compare models on that one.
A prompt is a top-k hit when any of its single-token answers is among the k best tokens.

Usage: `olm-data eval probe --model runs/tiny/ [--model runs/older/] [--prompts FILE.jsonl]` or `run_probe(...)`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

logger = logging.getLogger(__name__)

MASK = "[MASK]"
CATEGORIES = ("event", "control")


@dataclass(frozen=True)
class ProbePrompt:
    """One cloze prompt: `prompt` holds exactly one [MASK]; `year` is None for timeless controls."""

    id: str
    prompt: str
    answers: tuple[str, ...]
    year: int | None
    category: str

    @property
    def group(self) -> str:
        """The row of the results table: the event's year, or "control"."""
        return "control" if self.category == "control" else str(self.year)


def bundled_prompts_path() -> Path:
    """The prompt file shipped with the package."""
    return Path(str(resources.files("olm_data.trainer") / "data" / "probe_prompts.jsonl"))


def _parse(obj: Any, lineno: int) -> tuple[ProbePrompt | None, str | None]:
    if not isinstance(obj, dict):
        return None, "not_an_object"
    prompt = obj.get("prompt")
    if not isinstance(prompt, str) or prompt.count(MASK) != 1:
        return None, "no_single_mask"
    answers = obj.get("answers", obj.get("answer"))
    if isinstance(answers, str):
        answers = [answers]
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        return None, "bad_answers"
    category = obj.get("category", "event")
    if category not in CATEGORIES:
        return None, "bad_category"
    year = obj.get("year")
    if category == "event" and (not isinstance(year, int) or isinstance(year, bool)):
        return None, "bad_year"
    if category == "control":
        year = None
    pid = str(obj.get("id", f"line{lineno}"))
    return ProbePrompt(pid, prompt, tuple(a.strip() for a in answers), year, category), None


def load_prompts(path: str | Path | None = None) -> tuple[list[ProbePrompt], Counter]:
    """Read a prompt JSONL (the bundled one when path is None); malformed lines are skipped and counted.

    Reasons: `invalid_json`, `not_an_object`, `no_single_mask`, `bad_answers`, `bad_category`, `bad_year`.
    The first malformed line is logged with its location.

    Raises:
        UsageError: the file does not exist or holds no usable prompt.
    """
    path = Path(path) if path is not None else bundled_prompts_path()
    if not path.is_file():
        raise UsageError(f"--prompts {path}: file not found")
    prompts: list[ProbePrompt] = []
    malformed: Counter = Counter()
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                prompt, reason = _parse(json.loads(line), lineno)
            except json.JSONDecodeError:
                prompt, reason = None, "invalid_json"
            if reason:
                if not malformed:
                    logger.warning(
                        "%s:%d: skipping malformed prompt (%s); further ones are only counted", path, lineno, reason
                    )
                malformed[reason] += 1
                continue
            prompts.append(prompt)
    if not prompts:
        raise UsageError(f"--prompts {path}: no usable prompt ({sum(malformed.values())} malformed lines)")
    return prompts, malformed


def single_token_ids(tokenizer: Any, answer: str) -> set[int]:
    """Token ids that spell `answer` as one token, with and without a leading space (byte-level BPE vocabularies
    mark word starts); empty when every spelling needs several tokens or maps to [UNK]."""
    special = set(tokenizer.all_special_ids)
    ids = set()
    for variant in (answer, " " + answer):
        enc = tokenizer(variant, add_special_tokens=False)["input_ids"]
        if len(enc) == 1 and enc[0] not in special:
            ids.add(enc[0])
    return ids


def score_prompts(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[ProbePrompt],
    top_k: int = 5,
    batch_size: int = 64,
    device: Any = "cpu",
) -> dict[str, Any]:
    """Top-1 / top-k accuracy per group (year or "control") plus "events" and "all" totals.

    Args:
        model: a masked LM returning `.logits` of shape (batch, seq, vocab).
        tokenizer: its tokenizer (must have a mask token).

    Returns:
        {"groups": {group: {"n", "top1", "topk", "skipped"}}, "prompts": [per-prompt records], "top_k": k};
        `n` counts scored prompts, `skipped` those whose answers are not single tokens for this tokenizer.
    """
    import torch

    if tokenizer.mask_token is None:
        raise UsageError("the model's tokenizer has no mask token: the probe needs a masked language model")
    special = sorted(set(tokenizer.all_special_ids))
    records: list[dict[str, Any]] = [{}] * len(prompts)  # filled in prompt order
    scorable: list[tuple[int, ProbePrompt, set[int]]] = []
    for i, p in enumerate(prompts):
        ids = set().union(*(single_token_ids(tokenizer, a) for a in p.answers))
        if ids:
            scorable.append((i, p, ids))
        else:
            records[i] = {
                "id": p.id,
                "group": p.group,
                "prompt": p.prompt,
                "answers": list(p.answers),
                "skipped": "multi_token_answer",
            }

    model.eval()
    with torch.no_grad():
        for start in range(0, len(scorable), batch_size):
            chunk = scorable[start : start + batch_size]
            texts = [p.prompt.replace(MASK, tokenizer.mask_token) for _, p, _ in chunk]
            enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
            enc = {k: v.to(device) for k, v in enc.items()}
            logits = model(**enc).logits.float()
            rows, cols = (enc["input_ids"] == tokenizer.mask_token_id).nonzero(as_tuple=True)
            if len(rows) != len(chunk):  # one [MASK] per prompt was checked on load; truncation could drop it
                raise UsageError("a probe prompt lost its [MASK] to truncation: shorten it")
            at_mask = logits[rows, cols]
            at_mask[:, special] = -torch.inf
            top = at_mask.topk(min(top_k, at_mask.shape[-1]), dim=-1).indices.cpu().tolist()
            for (i, p, ids), best in zip(chunk, top, strict=True):
                records[i] = {
                    "id": p.id,
                    "group": p.group,
                    "prompt": p.prompt,
                    "answers": list(p.answers),
                    "top1": best[0] in ids,
                    "topk": any(t in ids for t in best),
                    "predictions": tokenizer.convert_ids_to_tokens(best),
                }
    return {"top_k": top_k, "groups": summarize(records), "prompts": records}


def _group_order(group: str) -> tuple[int, str]:
    return (0, group) if group.isdigit() else (1, group)


def summarize(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-group counts and accuracies: years in order, then "control", then "events" and "all" totals."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        groups.setdefault(r["group"], []).append(r)
    out: dict[str, dict[str, Any]] = {}

    def row(rs: list[dict[str, Any]]) -> dict[str, Any]:
        scored = [r for r in rs if "skipped" not in r]
        n = len(scored)
        return {
            "n": n,
            "top1": sum(r["top1"] for r in scored) / n if n else None,
            "topk": sum(r["topk"] for r in scored) / n if n else None,
            "skipped": len(rs) - n,
        }

    for g in sorted(groups, key=_group_order):
        out[g] = row(groups[g])
    out["events"] = row([r for r in records if r["group"] != "control"])
    out["all"] = row(list(records))
    return out


def format_table(results: Sequence[dict[str, Any]], key: str = "groups") -> str:
    """A markdown table with one column block (n, top-1, top-k) per model, rows = years, control, totals.

    Args:
        key: "groups" (every prompt a model can score) or "groups_common" (prompts all models can score).
    """
    groups: list[str] = []
    for res in results:
        groups += [g for g in res[key] if g not in groups]
    fixed = [g for g in groups if g not in ("events", "all")]
    groups = sorted(fixed, key=_group_order) + ["events", "all"]
    k = results[0]["top_k"]
    head = "| group | " + " | ".join(f"{r['name']} n | top-1 | top-{k}" for r in results) + " |"
    lines = [head, "|---|" + "---|---|---|" * len(results)]

    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:.3f}"

    for g in groups:
        cells = []
        for r in results:
            s = r[key].get(g, {"n": 0, "top1": None, "topk": None})
            cells.append(f"{s['n']} | {fmt(s['top1'])} | {fmt(s['topk'])}")
        lines.append(f"| {g} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _load_masked_lm(model_dir: Path, device: Any) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from olm_data.trainer.glue import quiet_transformers, restore_transformers

    level = quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        model = AutoModelForMaskedLM.from_pretrained(model_dir, dtype=torch.float32).to(device)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--model {model_dir}: cannot load a masked LM and its tokenizer: {exc}") from exc
    finally:
        restore_transformers(level)
    return model, tokenizer


def run_probe(
    models: Sequence[str | Path] | str | Path,
    prompts: str | Path | None = None,
    output: str | Path | None = None,
    top_k: int = 5,
    batch_size: int = 64,
    device: str = "auto",
) -> list[dict[str, Any]]:
    """Score one or more model folders on the prompts; write probe.json + probe.md; return one result per model.

    With one model, or several and no `output`, each model's results go to `<model>/eval/probe.{json,md}`;
    with several models and `output`, one `probe.json` ({"models": [...]}) and the comparison table go there.
    """
    import torch

    from olm_data.trainer.glue import check_model_dir, pick_device

    if isinstance(models, str | Path):
        models = [models]
    if top_k < 1:
        raise UsageError("--top-k must be >= 1")
    dirs = [check_model_dir(m) for m in models]
    items, malformed = load_prompts(prompts)
    dev = pick_device(device)
    results = []
    for model_dir in dirs:
        model, tokenizer = _load_masked_lm(model_dir, dev)
        scored = score_prompts(model, tokenizer, items, top_k=top_k, batch_size=batch_size, device=dev)
        n_skipped = sum(1 for r in scored["prompts"] if "skipped" in r)
        results.append(
            {
                "name": str(model_dir),
                "model": str(model_dir),
                "prompts_file": str(Path(prompts) if prompts else bundled_prompts_path()),
                "malformed_lines": dict(malformed),
                "skipped": {"multi_token_answer": n_skipped},
                "torch": torch.__version__,
                **scored,
            }
        )
        del model
    if len(results) > 1:
        # Tokenizers differ, so each model scores a different subset; the fair comparison is on the common one.
        common = [all("skipped" not in res["prompts"][i] for res in results) for i in range(len(items))]
        for res in results:
            recs = [
                r if ok else {**r, "skipped": r.get("skipped", "not_common")}
                for r, ok in zip(res["prompts"], common, strict=True)
            ]
            res["groups_common"] = summarize(recs)
    table = format_tables(results)
    if output is not None and len(results) > 1:
        out = Path(output)
        out.mkdir(parents=True, exist_ok=True)
        (out / "probe.json").write_text(json.dumps({"models": results}, indent=2) + "\n")
        (out / "probe.md").write_text(table)
    else:
        for res, model_dir in zip(results, dirs, strict=True):
            out = Path(output) if output is not None else model_dir / "eval"
            out.mkdir(parents=True, exist_ok=True)
            (out / "probe.json").write_text(json.dumps(res, indent=2) + "\n")
            (out / "probe.md").write_text(format_tables([res]))
    return results


def format_tables(results: Sequence[dict[str, Any]]) -> str:
    """One table for a single model; for several, also the table on the prompts every model can score."""
    if len(results) == 1:
        return format_table(results)
    return (
        "All prompts each model can score:\n\n"
        + format_table(results)
        + "\nPrompts every model can score (compare these):\n\n"
        + format_table(results, "groups_common")
    )
