"""GLUE fine-tuning that prints the seed card's metric dict, so our models compare with the Dec-2022 OLM tiny BERT.

Protocol (Google's compact-model recipe, "Well-Read Students Learn Better", arXiv 1908.08962): one head per task
fine-tuned from the MLM checkpoint for 4 epochs, best of lr {3e-4, 1e-4, 5e-5, 3e-5} at batch 32 (or the full
batch {8, 16, 32, 64, 128} x lr grid), picked on dev and reported on dev, as the seed card's numbers are.
Each config runs `seeds` times; the card dict holds the mean and `std` the spread.

Speed: every split is tokenized once per task; training batches are length-bucketed (shuffle, sort by length
inside windows of 50 batches, shuffle the batches) and padded per batch; one model per task is loaded once and
reset from a saved copy of its weights for every run. bf16 autocast on CUDA. torch.compile is opt-in
(`compile=True`): a tiny model fine-tunes in seconds, less than a compile takes; when on, it compiles with dynamic
shapes, one graph for every padded width instead of one per width (and eager fallback after 8 of them).
Deterministic on CPU: explicit seeds for the head init, dropout and the batch order.

Usage: `olm-data eval glue --model runs/tiny/ --data-dir GLUE_DIR` (see trainer/evaluate.py) or `run_glue(...)`.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from olm_data.errors import UsageError

from .glue_metrics import METRICS

logger = logging.getLogger(__name__)
COMPILE_BACKEND = "inductor"  # tests count compiled graphs with a counting backend


# ---------------------------------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class GlueTask:
    """Where a task's columns live in the standard GLUE TSV layout and which metrics the seed card reports.

    Columns are header names, or indices for headerless CoLA (the same fields HF's GLUE processors read).
    """

    name: str
    folder: str
    text_a: str | int
    text_b: str | int | None
    label: str | int
    labels: tuple[str, ...] | None  # None: regression (STS-B)
    metrics: tuple[str, ...]
    dev_files: tuple[tuple[str, str], ...] = (("dev.tsv", ""),)  # (file, metric-key suffix)
    header: bool = True
    columns: int | None = None  # fixed column count for headerless files

    @property
    def is_regression(self) -> bool:
        return self.labels is None

    @property
    def metric_keys(self) -> list[str]:
        """The seed card's keys for this task, e.g. mrpc_acc, mrpc_f1; mnli_acc, mnli_acc_mm."""
        return [f"{self.name}_{m}{suffix}" for _, suffix in self.dev_files for m in self.metrics]


TASKS: dict[str, GlueTask] = {
    t.name: t
    for t in [
        GlueTask("cola", "CoLA", 3, None, 1, ("0", "1"), ("mcc",), header=False, columns=4),
        GlueTask("sst2", "SST-2", "sentence", None, "label", ("0", "1"), ("acc",)),
        GlueTask("mrpc", "MRPC", "#1 String", "#2 String", "Quality", ("0", "1"), ("acc", "f1")),
        GlueTask("stsb", "STS-B", "sentence1", "sentence2", "score", None, ("pear", "spear")),
        GlueTask("qqp", "QQP", "question1", "question2", "is_duplicate", ("0", "1"), ("acc",)),
        GlueTask(
            "mnli",
            "MNLI",
            "sentence1",
            "sentence2",
            "gold_label",
            ("contradiction", "entailment", "neutral"),
            ("acc",),
            dev_files=(("dev_matched.tsv", ""), ("dev_mismatched.tsv", "_mm")),
        ),
        GlueTask("qnli", "QNLI", "question", "sentence", "label", ("entailment", "not_entailment"), ("acc",)),
        GlueTask("rte", "RTE", "sentence1", "sentence2", "label", ("entailment", "not_entailment"), ("acc",)),
        GlueTask("wnli", "WNLI", "sentence1", "sentence2", "label", ("0", "1"), ("acc",)),
    ]
}

# The seed card's dict, in its order.
CARD_KEYS: list[str] = [k for t in TASKS.values() for k in t.metric_keys]

# GLUE dev numbers from the seed model card ("Tiny BERT December 2022", OLM project, Hugging Face hub, section
# "Special note"; copy in ../shared/reference/olm-tiny-bert-model-card.md). "Original" is Google's BERT-Tiny
# (google/bert_uncased_L-2_H-128_A-2); the card does not say which fine-tuning protocol produced them.
REFERENCE: dict[str, dict[str, float]] = {
    "Google BERT-Tiny": {
        "cola_mcc": 0.0,
        "sst2_acc": 0.7981651376146789,
        "mrpc_acc": 0.6838235294117647,
        "mrpc_f1": 0.8122270742358079,
        "stsb_pear": 0.672082873279731,
        "stsb_spear": 0.6933378278505834,
        "qqp_acc": 0.7766420762598881,
        "mnli_acc": 0.6542027508914926,
        "mnli_acc_mm": 0.6670056956875509,
        "qnli_acc": 0.774665934468241,
        "rte_acc": 0.5776173285198556,
        "wnli_acc": 0.49295774647887325,
    },
    "OLM tiny Dec 2022": {
        "cola_mcc": 0.0,
        "sst2_acc": 0.7970183486238532,
        "mrpc_acc": 0.6838235294117647,
        "mrpc_f1": 0.8122270742358079,
        "stsb_pear": -0.15978233085015087,
        "stsb_spear": -0.13638650127051932,
        "qqp_acc": 0.6292213609628794,
        "mnli_acc": 0.5323484462557311,
        "mnli_acc_mm": 0.5465825874694874,
        "qnli_acc": 0.6199890170236134,
        "rte_acc": 0.5595667870036101,
        "wnli_acc": 0.5352112676056338,
    },
}

LR_GRID: tuple[float, ...] = (3e-4, 1e-4, 5e-5, 3e-5)
BATCH_GRID: tuple[int, ...] = (8, 16, 32, 64, 128)


def resolve_tasks(names: Sequence[str] | str | None, data_dir: str | Path) -> list[GlueTask]:
    """Task names (cola, SST-2, sts-b, ...) to tasks in the card's order; None means every task folder in data_dir.

    Raises:
        UsageError: unknown name, missing data dir, a requested task folder that is absent, or no task found.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UsageError(f"--data-dir {data_dir}: not a folder (expected the GLUE layout: CoLA/, SST-2/, ...)")
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    if not names:
        found = [t for t in TASKS.values() if (data_dir / t.folder).is_dir()]
        if not found:
            folders = ", ".join(t.folder for t in TASKS.values())
            raise UsageError(f"--data-dir {data_dir}: no GLUE task folder found (looked for {folders})")
        return found
    tasks = []
    for raw in names:
        key = re.sub(r"[^a-z0-9]", "", raw.lower())
        if key not in TASKS:
            raise UsageError(f"unknown GLUE task {raw!r}; choose from {', '.join(TASKS)}")
        task = TASKS[key]
        if not (data_dir / task.folder).is_dir():
            present = [t.folder for t in TASKS.values() if (data_dir / t.folder).is_dir()]
            raise UsageError(
                f"GLUE task {task.name}: folder {data_dir / task.folder} not found "
                f"(present in {data_dir}: {', '.join(present) or 'none'})"
            )
        if task not in tasks:
            tasks.append(task)
    order = list(TASKS.values())
    return sorted(tasks, key=order.index)  # the card's order, whatever order they were asked in


# ---------------------------------------------------------------------------------------------------- reading


@dataclass
class GlueSplit:
    """One TSV file's usable rows; `skipped` counts malformed rows by reason."""

    path: str
    texts_a: list[str]
    texts_b: list[str] | None
    labels: np.ndarray  # int64 class ids, or float32 scores for regression
    skipped: Counter = field(default_factory=Counter)

    def __len__(self) -> int:
        return len(self.texts_a)

    def subset(self, n: int | None, seed: int = 0) -> GlueSplit:
        """A seeded random subset of n rows (original order kept), for quick runs."""
        if n is None or n >= len(self):
            return self
        keep = np.sort(np.random.default_rng(seed).choice(len(self), size=n, replace=False))
        return GlueSplit(
            self.path,
            [self.texts_a[i] for i in keep],
            None if self.texts_b is None else [self.texts_b[i] for i in keep],
            self.labels[keep],
            self.skipped,
        )


def read_split(task: GlueTask, path: str | Path) -> GlueSplit:
    """Read one GLUE TSV; malformed rows are skipped, counted by reason and logged once with their line.

    GLUE files are unquoted TSV (a row may hold a lone `"`), so rows are split on tabs, never parsed as CSV.
    Reasons: `wrong_column_count`, `empty_text`, `bad_label`.

    Raises:
        UsageError: the file is missing, or its header lacks a column the task needs.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"GLUE task {task.name}: file {path} not found")
    texts_a: list[str] = []
    texts_b: list[str] = []
    labels: list[Any] = []
    skipped: Counter = Counter()
    label_ids = None if task.labels is None else {lab: i for i, lab in enumerate(task.labels)}
    with open(path, encoding="utf-8-sig", errors="replace") as f:  # MRPC files start with a BOM
        cols = task.columns
        ia, ib, il = task.text_a, task.text_b, task.label
        if task.header:
            header = f.readline().rstrip("\r\n").split("\t")
            missing = [c for c in (ia, ib, il) if c is not None and c not in header]
            if missing:
                raise UsageError(f"{path}: header lacks column(s) {missing} (got {header})")
            cols = len(header)
            ia, il = header.index(ia), header.index(il)
            ib = None if ib is None else header.index(ib)
        first_line = 2 if task.header else 1
        for lineno, line in enumerate(f, start=first_line):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            row = line.split("\t")
            reason = None
            if len(row) != cols:
                reason = "wrong_column_count"
            elif not row[ia].strip() or (ib is not None and not row[ib].strip()):
                reason = "empty_text"
            else:
                raw = row[il].strip()
                if label_ids is None:
                    try:
                        value: Any = float(raw)
                    except ValueError:
                        value = math.nan
                    if not math.isfinite(value):
                        reason = "bad_label"
                else:
                    value = label_ids.get(raw)
                    if value is None:
                        reason = "bad_label"
            if reason:
                if not skipped:
                    logger.warning(
                        "%s:%d: skipping malformed row (%s); further ones are only counted", path, lineno, reason
                    )
                skipped[reason] += 1
                continue
            texts_a.append(row[ia])
            if ib is not None:
                texts_b.append(row[ib])
            labels.append(value)
    dtype = np.float32 if label_ids is None else np.int64
    return GlueSplit(
        str(path), texts_a, texts_b if task.text_b is not None else None, np.array(labels, dtype), skipped
    )


# ---------------------------------------------------------------------------------------------------- metrics


def task_metrics(task: GlueTask, preds: np.ndarray, labels: np.ndarray, suffix: str = "") -> dict[str, float]:
    """The seed card's keys for one dev file, e.g. {"mrpc_acc": .., "mrpc_f1": ..} or {"mnli_acc_mm": ..}.

    Args:
        preds: class ids (argmax) for classification, scores for STS-B.
        labels: gold class ids or scores.
        suffix: "" or "_mm" (MNLI mismatched).
    """
    return {f"{task.name}_{m}{suffix}": METRICS[m](preds, labels) for m in task.metrics}


def _selection_score(metrics: dict[str, float]) -> float:
    """Mean of a run's dev metrics, the number the grid maximises; NaN (constant predictions) counts as -inf."""
    values = list(metrics.values())
    return -math.inf if any(math.isnan(v) for v in values) else float(np.mean(values))


# ---------------------------------------------------------------------------------------------------- batching


def bucketed_batches(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator, window_batches: int = 50
) -> list[np.ndarray]:
    """Shuffled batches of similar length: shuffle, sort inside windows of `window_batches` batches, shuffle batches.

    Dynamic padding then pads each batch to its own longest row, so little compute goes to [PAD] while the
    order stays random enough for SGD (the usual "sortish" sampler).
    """
    lengths = np.asarray(lengths)
    perm = rng.permutation(len(lengths))
    window = batch_size * window_batches
    batches: list[np.ndarray] = []
    for start in range(0, len(perm), window):
        chunk = perm[start : start + window]
        chunk = chunk[np.argsort(-lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


@dataclass
class Encoded:
    """A tokenized split: unpadded token ids per example, their token types, labels."""

    input_ids: list[list[int]]
    token_type_ids: list[list[int]]
    labels: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        return np.fromiter((len(x) for x in self.input_ids), dtype=np.int64, count=len(self.input_ids))


def encode(tokenizer: Any, split: GlueSplit, max_seq_len: int) -> Encoded:
    """Tokenize a split once (pairs truncated longest-first to max_seq_len), without padding."""
    enc = tokenizer(
        split.texts_a,
        split.texts_b,
        truncation=True,
        max_length=max_seq_len,
        return_token_type_ids=True,
        return_attention_mask=False,
    )
    types = enc.get("token_type_ids") or [[0] * len(ids) for ids in enc["input_ids"]]
    return Encoded(enc["input_ids"], types, split.labels)


def collate(data: Encoded, idx: np.ndarray, pad_id: int, multiple: int = 1, pin: bool = False) -> dict[str, Any]:
    """Pad the rows in idx to the batch's longest (rounded up to `multiple`) and build torch tensors.

    pin: page-locked tensors, so a `non_blocking` copy to CUDA really is asynchronous (from pageable memory it
    is a synchronous copy in disguise).
    """
    import torch

    longest = max(len(data.input_ids[i]) for i in idx)
    width = -(-longest // multiple) * multiple
    ids = np.full((len(idx), width), pad_id, dtype=np.int64)
    types = np.zeros((len(idx), width), dtype=np.int64)
    mask = np.zeros((len(idx), width), dtype=np.int64)
    for row, i in enumerate(idx):
        n = len(data.input_ids[i])
        ids[row, :n] = data.input_ids[i]
        types[row, :n] = data.token_type_ids[i]
        mask[row, :n] = 1
    batch = {
        "input_ids": torch.from_numpy(ids),
        "token_type_ids": torch.from_numpy(types),
        "attention_mask": torch.from_numpy(mask),
    }
    return {k: v.pin_memory() for k, v in batch.items()} if pin else batch


# ---------------------------------------------------------------------------------------------------- training


@dataclass
class GlueConfig:
    """Everything one `olm-data eval glue` run needs; saved into glue.json.

    Args:
        model: HF model folder (config.json, model.safetensors, tokenizer files), e.g. runs/tiny/.
        data_dir: folder in the GLUE layout (CoLA/, SST-2/, MRPC/, STS-B/, QQP/, MNLI/, QNLI/, RTE/, WNLI/).
        tasks: task names; None means every task folder present in data_dir.
        learning_rates: the lr grid; the best config on dev is reported.
        batch_sizes: the batch grid; (32,) by default, BATCH_GRID for Google's full grid.
        epochs: training epochs per run (4 in Google's recipe).
        seeds: runs per config (seed, seed+1, ...); the card dict is their mean, `std` their spread.
        warmup: fraction of steps with linear warmup, then linear decay to 0 (BERT's fine-tuning schedule).
        max_train_examples / max_eval_examples: seeded random subsets for quick runs.
        device: "auto" (CUDA if present), "cpu" or "cuda[:i]".
        compile: torch.compile the model (dynamic shapes); None means off.
        output: where glue.json and glue.md go; None means <model>/eval/.
        update_card: write the results into the model folder's README.md (`## Evaluation`).
    """

    model: str
    data_dir: str
    tasks: list[str] | None = None
    learning_rates: tuple[float, ...] = LR_GRID
    batch_sizes: tuple[int, ...] = (32,)
    epochs: float = 4.0
    max_seq_len: int = 128
    seeds: int = 1
    seed: int = 42
    warmup: float = 0.1
    weight_decay: float = 0.01
    eval_batch_size: int = 128
    max_train_examples: int | None = None
    max_eval_examples: int | None = None
    device: str = "auto"
    compile: bool | None = None
    output: str | None = None
    update_card: bool = True


def pick_device(name: str) -> Any:
    """The torch device for `--device` ("auto" = cuda when available), or a UsageError when CUDA is missing."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"--device {name}: CUDA is not available on this machine")
    return torch.device(name)


def check_model_dir(model: str | Path) -> Path:
    """A usable HF model folder, or a UsageError saying what is missing."""
    path = Path(model)
    if not (path / "config.json").is_file():
        raise UsageError(
            f"--model {model}: not a Hugging Face model folder (no config.json); "
            "train and export one with `olm-data pretrain --output runs/tiny/`"
        )
    return path


def quiet_transformers() -> tuple[int, bool]:
    """Silence load reports ("newly initialized: classifier...") that are expected when adding a head."""
    from transformers.utils import logging as hf_logging

    state = (hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled())
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    return state


def restore_transformers(state: tuple[int, bool]) -> None:
    """Undo quiet_transformers."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity(state[0])
    if state[1]:
        hf_logging.enable_progress_bar()


class _TaskModel:
    """One sequence-classification model per task, loaded (and compiled) once, reset to the checkpoint per run.

    Reusing the module keeps torch.compile's graphs across the lr x batch x seed grid; the head (and the pooler,
    which an MLM checkpoint lacks) is re-initialised from each run's seed so runs stay independent.
    """

    def __init__(self, model_dir: Path, num_labels: int, device: Any, compile: bool) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification

        level = quiet_transformers()
        try:
            model, info = AutoModelForSequenceClassification.from_pretrained(
                model_dir,
                num_labels=num_labels,
                output_loading_info=True,
                ignore_mismatched_sizes=True,
                dtype=torch.float32,  # fp32 master weights even if the export is bf16; autocast does the rest
            )
        except (OSError, ValueError) as exc:
            raise UsageError(f"--model {model_dir}: cannot load as a sequence classifier: {exc}") from exc
        finally:
            restore_transformers(level)
        mismatched = {k[0] if isinstance(k, tuple) else k for k in info.get("mismatched_keys", ())}
        self.new_keys = sorted(set(info.get("missing_keys", ())) | mismatched)
        self.model = model.to(device)
        self.init_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
        self.initializer_range = float(getattr(model.config, "initializer_range", 0.02))
        self.forward = torch.compile(self.model, dynamic=True, backend=COMPILE_BACKEND) if compile else self.model

    def reset(self, seed: int) -> None:
        """Checkpoint weights back in place, then a fresh seeded init of the new head (BERT's init)."""
        import torch

        self.model.load_state_dict(self.init_state)
        torch.manual_seed(seed)
        params = dict(self.model.named_parameters())
        with torch.no_grad():
            for key in self.new_keys:
                p = params.get(key)
                if p is None:
                    continue
                if key.endswith("bias"):
                    p.zero_()
                elif p.dim() == 1:  # a LayerNorm weight
                    p.fill_(1.0)
                else:
                    p.normal_(0.0, self.initializer_range)


def _predict(tm: _TaskModel, data: Encoded, batch_size: int, pad_id: int, device: Any, regression: bool) -> np.ndarray:
    """Dev predictions in the original row order (rows sorted by length for batching, then put back)."""
    import torch

    tm.model.eval()
    order = np.argsort(-data.lengths, kind="stable")
    out = np.empty(len(order), dtype=np.float32 if regression else np.int64)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
    multiple = 8 if device.type == "cuda" else 1
    pin = device.type == "cuda"
    with torch.no_grad(), autocast:
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            batch = {k: v.to(device, non_blocking=True) for k, v in collate(data, idx, pad_id, multiple, pin).items()}
            logits = tm.forward(**batch).logits.float()
            pred = logits[:, 0] if regression else logits.argmax(-1)
            out[idx] = pred.cpu().numpy()
    return out


def fine_tune_once(
    tm: _TaskModel,
    task: GlueTask,
    train: Encoded,
    devs: list[tuple[str, Encoded]],
    lr: float,
    batch_size: int,
    seed: int,
    cfg: GlueConfig,
    pad_id: int,
    device: Any,
) -> dict[str, Any]:
    """Fine-tune from the checkpoint with one (lr, batch, seed) and score every dev file of the task."""
    import torch

    tm.reset(seed)
    model = tm.model
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        betas=(0.9, 0.999),
        eps=1e-6,
        fused=device.type == "cuda",
    )
    steps_per_epoch = -(-len(train.input_ids) // batch_size)
    total = max(1, math.ceil(cfg.epochs * steps_per_epoch))
    warm = int(cfg.warmup * total)

    def lr_factor(step: int) -> float:  # linear warmup, linear decay to 0
        return (step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    rng = np.random.default_rng(seed)
    labels = torch.from_numpy(train.labels)
    lengths = train.lengths
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
    multiple = 8 if device.type == "cuda" else 1
    pin = device.type == "cuda"
    model.train()
    step, seen, t0 = 0, 0, time.perf_counter()
    losses = torch.zeros((), device=device)
    while step < total:
        for idx in bucketed_batches(lengths, batch_size, rng):
            if step >= total:
                break
            batch = {k: v.to(device, non_blocking=True) for k, v in collate(train, idx, pad_id, multiple, pin).items()}
            y = labels[idx]
            y = (y.pin_memory() if pin else y).to(device, non_blocking=True)  # pageable -> a synchronizing copy
            with autocast:
                logits = tm.forward(**batch).logits.float()
            if task.is_regression:
                loss = torch.nn.functional.mse_loss(logits[:, 0], y)
            else:
                loss = torch.nn.functional.cross_entropy(logits, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            losses += loss.detach()
            step += 1
            seen += len(idx)
    mean_loss = float(losses) / step  # one host sync per run, not per step
    train_s = time.perf_counter() - t0
    metrics: dict[str, float] = {}
    for suffix, dev in devs:
        preds = _predict(tm, dev, cfg.eval_batch_size, pad_id, device, task.is_regression)
        metrics.update(task_metrics(task, preds, dev.labels, suffix))
    return {
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "steps": total,
        "train_loss": mean_loss,
        "train_seconds": round(train_s, 3),
        "train_examples_per_s": round(seen / train_s, 1) if train_s > 0 else None,
        "metrics": metrics,
    }


def evaluate_task(task: GlueTask, cfg: GlueConfig, tokenizer: Any, device: Any) -> dict[str, Any]:
    """Run the task's lr x batch x seed grid; the best config (mean dev score over seeds) is the task's result."""
    t0 = time.perf_counter()
    folder = Path(cfg.data_dir) / task.folder
    train_split = read_split(task, folder / "train.tsv")
    dev_splits = [(suffix, read_split(task, folder / name)) for name, suffix in task.dev_files]
    skipped = {Path(s.path).name: dict(s.skipped) for s in [train_split] + [d for _, d in dev_splits] if s.skipped}
    for s in [train_split] + [d for _, d in dev_splits]:
        if not len(s):
            raise UsageError(f"GLUE task {task.name}: {s.path} has no usable rows")
    train_split = train_split.subset(cfg.max_train_examples)
    dev_splits = [(suffix, d.subset(cfg.max_eval_examples)) for suffix, d in dev_splits]
    compile_ = bool(cfg.compile)
    tm = _TaskModel(Path(cfg.model), 1 if task.is_regression else len(task.labels), device, compile_)
    max_len = min(cfg.max_seq_len, int(getattr(tm.model.config, "max_position_embeddings", cfg.max_seq_len)))
    train = encode(tokenizer, train_split, max_len)
    devs = [(suffix, encode(tokenizer, d, max_len)) for suffix, d in dev_splits]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    runs = []
    seeds = [cfg.seed + i for i in range(cfg.seeds)]
    for bs in cfg.batch_sizes:
        for lr in cfg.learning_rates:
            for seed in seeds:
                run = fine_tune_once(tm, task, train, devs, lr, bs, seed, cfg, pad_id, device)
                runs.append(run)
                shown = " ".join(f"{k}={v:.4f}" for k, v in run["metrics"].items())
                logger.info(
                    "%s bs=%d lr=%.0e seed=%d: %s (%d steps, %.1f s)",
                    task.name,
                    bs,
                    lr,
                    seed,
                    shown,
                    run["steps"],
                    run["train_seconds"],
                )
    # best config = highest mean selection score over its seeds; ties go to the first in grid order
    best, best_score = None, -math.inf
    for bs in cfg.batch_sizes:
        for lr in cfg.learning_rates:
            group = [r for r in runs if r["batch_size"] == bs and r["lr"] == lr]
            score = float(np.mean([_selection_score(r["metrics"]) for r in group]))
            if best is None or score > best_score:
                best, best_score = (bs, lr), score
    chosen = [r for r in runs if (r["batch_size"], r["lr"]) == best]
    keys = task.metric_keys
    values = {k: np.array([r["metrics"][k] for r in chosen], dtype=np.float64) for k in keys}
    return {
        "task": task.name,
        "best": {"batch_size": best[0], "lr": best[1]},
        "metrics": {k: float(np.mean(v)) for k, v in values.items()},
        "std": {k: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for k, v in values.items()},  # sample std
        "max_seq_len": max_len,
        "train_examples": len(train_split),
        "dev_examples": {Path(d.path).name: len(d) for _, d in dev_splits},
        "skipped_rows": skipped,
        "runs": runs,
        "seconds": round(time.perf_counter() - t0, 3),
    }


def run_glue(cfg: GlueConfig) -> dict[str, Any]:
    """Fine-tune and score every requested task; write glue.json + glue.md and the card's `## Evaluation`.

    Returns:
        The glue.json content: `results` is the seed card's dict (tasks present only), `std` its spread over
        seeds, `reference` the card's rows, `tasks` the per-task details (grid runs, skipped rows, times).
    """
    import torch

    model_dir = check_model_dir(cfg.model)
    tasks = resolve_tasks(cfg.tasks, cfg.data_dir)
    if cfg.seeds < 1 or cfg.epochs <= 0 or not cfg.learning_rates or not cfg.batch_sizes:
        raise UsageError("need --seeds >= 1, --epochs > 0, at least one --lr and one --batch-size")
    device = pick_device(cfg.device)
    if device.type == "cuda":
        from .train import enable_tf32

        enable_tf32()
    from transformers import AutoTokenizer

    level = quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
    except (OSError, ValueError) as exc:
        raise UsageError(f"--model {model_dir}: no usable tokenizer files: {exc}") from exc
    finally:
        restore_transformers(level)

    t0 = time.perf_counter()
    per_task = {}
    for task in tasks:
        logger.info("GLUE %s: fine-tuning (%s)", task.name, device)
        per_task[task.name] = evaluate_task(task, cfg, tokenizer, device)
    results = {k: per_task[t.name]["metrics"][k] for t in tasks for k in t.metric_keys}
    std = {k: per_task[t.name]["std"][k] for t in tasks for k in t.metric_keys}
    summary = {
        "model": str(model_dir),
        "results": results,
        "std": std,
        "reference": {name: {k: row[k] for k in results} for name, row in REFERENCE.items()},
        "protocol": {k: v for k, v in asdict(cfg).items() if k not in ("model", "output", "update_card")},
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "torch": torch.__version__,
        "seconds": round(time.perf_counter() - t0, 3),
        "tasks": per_task,
    }
    out = Path(cfg.output) if cfg.output else model_dir / "eval"
    out.mkdir(parents=True, exist_ok=True)
    (out / "glue.json").write_text(json.dumps(_json_safe(summary), indent=2) + "\n")
    md = format_markdown(summary)
    (out / "glue.md").write_text(md)
    if cfg.update_card:
        update_model_card(model_dir, md)
    return summary


# ---------------------------------------------------------------------------------------------------- reporting


def _json_safe(obj: Any) -> Any:
    """NaN/inf (e.g. Pearson of constant predictions) become null: JSON has no NaN."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    return obj


def _fmt(v: float | None) -> str:
    return "nan" if v is None or not math.isfinite(v) else f"{v:.4f}"


def format_markdown(summary: dict[str, Any]) -> str:
    """The GLUE table (ours vs the card's rows), the protocol and per-task details, as markdown."""
    p = summary["protocol"]
    n_seeds = p["seeds"]
    lines = [
        "### GLUE (dev)",
        "",
        f"| metric | this model{' (mean ± std)' if n_seeds > 1 else ''} | " + " | ".join(REFERENCE) + " |",
        "|---|---|" + "---|" * len(REFERENCE),
    ]
    for k, v in summary["results"].items():
        ours = _fmt(v) + (f" ± {_fmt(summary['std'][k])}" if n_seeds > 1 else "")
        lines.append(f"| {k} | {ours} | " + " | ".join(_fmt(REFERENCE[r][k]) for r in REFERENCE) + " |")
    lrs = ", ".join(f"{lr:g}" for lr in p["learning_rates"])
    bss = ", ".join(str(b) for b in p["batch_sizes"])
    lines += [
        "",
        f"Protocol: {p['epochs']:g} epochs, best of lr {{{lrs}}} x batch {{{bss}}} on dev, {n_seeds} seed(s) "
        f"from {p['seed']}, max seq len {p['max_seq_len']}, warmup {p['warmup']:g}, weight decay "
        f"{p['weight_decay']:g}"
        + (f", train subset {p['max_train_examples']}" if p["max_train_examples"] else "")
        + (f", dev subset {p['max_eval_examples']}" if p["max_eval_examples"] else "")
        + f"; device {summary['device']}, torch {summary['torch']}. Reference columns: the seed model card's "
        "GLUE dev numbers (protocol unknown).",
        "",
        "| task | train rows | dev rows | best batch | best lr | runs | time (s) | skipped rows |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, t in summary["tasks"].items():
        dev = ", ".join(str(n) for n in t["dev_examples"].values())
        skipped = sum(sum(c.values()) for c in t["skipped_rows"].values())
        lines.append(
            f"| {name} | {t['train_examples']} | {dev} | {t['best']['batch_size']} | {t['best']['lr']:g} | "
            f"{len(t['runs'])} | {t['seconds']:.1f} | {skipped} |"
        )
    return "\n".join(lines) + "\n"


def update_model_card(model_dir: str | Path, section: str, heading: str = "## Evaluation") -> Path:
    """Put `section` under `heading` in the model's README.md: replace that section if present, else append.

    The section runs to the next heading of the same or a higher level, so other sections are kept as they are.
    """
    path = Path(model_dir) / "README.md"
    text = path.read_text() if path.is_file() else ""
    block = f"{heading}\n\n{section.rstrip()}\n"
    level = len(heading) - len(heading.lstrip("#"))
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^#{{1,{level}}} |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block + "\n", text, count=1).rstrip() + "\n"
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block
    path.write_text(text)
    return path


def format_results_dict(results: dict[str, float]) -> str:
    """The card's one-line dict form (`{'cola_mcc': 0.0, ...}`), for copy-paste next to the card's rows."""
    return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in results.items()) + "}"
