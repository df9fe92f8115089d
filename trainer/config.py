"""One dataclass holds every knob of a pretraining run; it is saved beside the run so `--resume` replays it exactly.

Defaults follow the fast-BERT recipes (Cramming, Geiping & Goldstein 2022; MosaicBERT, Portes et al. 2023)
rather than the original BERT/OLM ones, because they reach the same quality in far fewer steps:

* large batches: 2^19 tokens per optimizer step (1024 rows of 512, 4096 rows of 128), like both recipes;
* AdamW with lr ~1e-3 for the small presets (5e-4 for base, MosaicBERT's value), betas (0.9, 0.98), eps 1e-6,
  weight decay 0.01 (not on biases and LayerNorm), gradient clipping at 1.0;
* linear warmup over 6% of the steps (MosaicBERT) then linear decay to 0 (or cosine);
* no dropout while pretraining (Cramming): with one pass over billions of tokens there is nothing to
  regularize, and dropout costs time. The exported config carries BERT's usual 0.1 for fine-tuning;
* 15% of the non-special positions of every row are predicted (BERT's rate and 80/10/10 split), as a fixed
  count per row so every tensor shape is static for `torch.compile` (MosaicBERT found 30% slightly better:
  `mask_prob=0.3`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

TOKENS_PER_STEP = 2**19  # default global batch in tokens: 1024 x 512 or 4096 x 128


@dataclass(frozen=True)
class ModelPreset:
    """A BERT shape from Google's compact-model grid ("Well-Read Students Learn Better", 2019).

    Args:
        layers: transformer blocks (L).
        hidden: hidden size (H); the feed-forward size is 4H like in BERT.
        heads: attention heads (A), head size 64 throughout the grid.
        lr: peak learning rate that suits this size with the default 2^19-token batch.
    """

    layers: int
    hidden: int
    heads: int
    lr: float

    @property
    def intermediate(self) -> int:
        return 4 * self.hidden


PRESETS: dict[str, ModelPreset] = {
    # micro is not in Google's grid: it exists so tests and the --sample pipeline train in seconds on a CPU.
    "micro": ModelPreset(layers=2, hidden=64, heads=2, lr=2e-3),
    "tiny": ModelPreset(layers=2, hidden=128, heads=2, lr=1e-3),
    "mini": ModelPreset(layers=4, hidden=256, heads=4, lr=1e-3),
    "small": ModelPreset(layers=4, hidden=512, heads=8, lr=8e-4),
    "medium": ModelPreset(layers=8, hidden=512, heads=8, lr=8e-4),
    "base": ModelPreset(layers=12, hidden=768, heads=12, lr=5e-4),
}


def knob(default: Any = dataclasses.MISSING, help: str = "", cli: bool = True, factory: Any = dataclasses.MISSING):
    """A TrainConfig field with its help text (and whether it has a command-line flag) in the field's metadata."""
    return field(default=default, default_factory=factory, metadata={"help": help, "cli": cli})


# fields a resumed run may change: they do not alter what the model sees or how it is optimized
RESUMABLE_OVERRIDES = (
    "data",
    "tokenizer",
    "device",
    "compile",
    "compile_mode",
    "max_micro_batch",
    "log_every",
    "eval_every",
    "ckpt_every",
    "keep_checkpoints",
    "peak_tflops",
    "tensorboard",
)


@dataclass
class TrainConfig:
    """Everything a pretraining run needs; `TrainConfig(data=..., tokenizer=..., output=...)` is a valid run.

    Each field's help sits in its metadata: `olm-data pretrain --help` is generated from it (trainer/cli.py),
    with the default taken from the field, so a default is written once. Fields with `cli=False` have no flag.
    """

    data: str = knob(help="tokenized data folder (holds memmap/index.json) or the memmap/ folder itself")
    tokenizer: str = knob(help="tokenizer folder (AutoTokenizer); copied into the exported model")
    output: str = knob(help="run folder: becomes the Hugging Face model folder; checkpoints in OUTPUT/checkpoints/")
    model: str = knob("tiny", "model preset")
    tokens: float = knob(33e9, "tokens to train on (rows x seq-len, all ranks), e.g. 33e9; sets the steps")
    steps: int | None = knob(None, "optimizer steps (overrides --tokens)")
    seq_len: int = knob(512, "sequence length; must divide the data's row length (a 512-row yields four 128-rows)")
    batch_size: int | None = knob(None, "global rows per optimizer step, all ranks (default 2^19 tokens / seq-len)")
    grad_accum: int | None = knob(
        None, "micro-batches accumulated per step and process (default: as few as keep --max-micro-batch)"
    )
    max_micro_batch: int | None = knob(
        None, "rows per micro-batch and process at most (default: measured on CUDA, no limit on CPU)"
    )
    lr: float | None = knob(None, "peak learning rate (default: the preset's, 1e-3 for tiny)")
    min_lr_ratio: float = knob(0.0, "final lr as a share of the peak")
    warmup: float = knob(0.06, "warmup: steps if >= 1, share of all steps if < 1")
    schedule: Literal["linear", "cosine"] = knob("linear", "decay after warmup")
    beta1: float = knob(0.9, "AdamW beta1", cli=False)
    beta2: float = knob(0.98, "AdamW beta2")
    eps: float = knob(1e-6, "AdamW epsilon", cli=False)
    weight_decay: float = knob(0.01, "AdamW weight decay (not on biases and LayerNorm weights)")
    grad_clip: float = knob(1.0, "max global gradient norm, 0 = off")
    mask_prob: float = knob(0.15, "share of each row's positions that are predicted (a fixed count per row)")
    dropout: float = knob(0.0, "dropout while pretraining")
    export_dropout: float = knob(0.1, "dropout written into the exported config, for fine-tuning", cli=False)
    eval_every: int = knob(1000, "steps between held-out evaluations (and one at the end); 0 = only at the end")
    eval_rows: int = knob(2048, "rows held out for evaluation (at most a tenth of the data)")
    ckpt_every: int = knob(1000, "steps between checkpoints (plus the last, and on SIGTERM/SIGUSR1); 0 = only those")
    keep_checkpoints: int = knob(2, "checkpoints kept")
    log_every: int = knob(50, "steps between console/JSONL log lines")
    device: str = knob("auto", "auto (cuda when available, else cpu), cpu, cuda, cuda:N")
    dtype: Literal["auto", "bf16", "fp32"] = knob("auto", "auto (bf16 autocast on CUDA, fp32 on CPU), bf16 or fp32")
    compile: bool | None = knob(None, "torch.compile the training step (default: on CUDA)")
    compile_mode: str = knob("default", "torch.compile mode (default, max-autotune-no-cudagraphs, reduce-overhead)")
    seed: int = knob(42, "seed of the weights, the data order and the masks")
    peak_tflops: float | None = knob(None, "device peak dense bf16 TFLOP/s for MFU (known GPUs are detected)")
    tensorboard: bool = knob(True, "also log to TensorBoard when the tensorboard package is installed")
    extra: dict[str, Any] = knob(
        help="notes on the data for the model card, e.g. {'corpus': 'olm-CC-MAIN-2022-49'}", cli=False, factory=dict
    )

    # ---- derived values -------------------------------------------------------------------------------------
    @property
    def preset(self) -> ModelPreset:
        return PRESETS[self.model]

    @property
    def peak_lr(self) -> float:
        return self.lr if self.lr is not None else self.preset.lr

    @property
    def global_batch(self) -> int:
        """Rows per optimizer step."""
        return self.batch_size if self.batch_size is not None else max(1, TOKENS_PER_STEP // self.seq_len)

    @property
    def tokens_per_step(self) -> int:
        return self.global_batch * self.seq_len

    @property
    def total_steps(self) -> int:
        if self.steps is not None:
            return self.steps
        return max(1, math.ceil(self.tokens / self.tokens_per_step))

    @property
    def warmup_steps(self) -> int:
        return int(self.warmup) if self.warmup >= 1 else int(round(self.warmup * self.total_steps))

    @property
    def masked_per_row(self) -> int:
        """Fixed number of predicted positions per row (BERT: round(0.15 x 128) = 19, 77 at 512)."""
        return max(1, round(self.mask_prob * self.seq_len))

    def validate(self) -> list[str]:
        """Problems a user can fix, as readable lines (empty when the config is usable)."""
        problems = []
        if self.model not in PRESETS:
            problems.append(f"unknown model {self.model!r}; choose one of {', '.join(PRESETS)}")
        if self.schedule not in ("linear", "cosine"):
            problems.append(f"schedule must be linear or cosine, not {self.schedule!r}")
        if self.dtype not in ("auto", "bf16", "fp32"):
            problems.append(f"dtype must be auto, bf16 or fp32, not {self.dtype!r}")
        if self.seq_len < 8:
            problems.append(f"seq_len {self.seq_len} is too short")
        if self.steps is not None and self.steps < 1:
            problems.append("steps must be >= 1")
        if self.steps is None and self.tokens <= 0:
            problems.append("tokens must be > 0")
        if (self.grad_accum is not None and self.grad_accum < 1) or self.global_batch < 1:
            problems.append("batch_size and grad_accum must be >= 1")
        if self.max_micro_batch is not None and self.max_micro_batch < 1:
            problems.append("max_micro_batch must be >= 1")
        if not 0 < self.mask_prob < 1:
            problems.append(f"mask_prob must be in (0, 1), not {self.mask_prob}")
        if self.warmup < 0 or (self.warmup >= 1 and self.warmup > self.total_steps):
            problems.append(f"warmup {self.warmup:g} is longer than the run ({self.total_steps} steps)")
        return problems

    # ---- persistence ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        return cls.from_dict(json.loads(Path(path).read_text()))


def bert_config(preset: ModelPreset, vocab_size: int, pad_token_id: int, max_positions: int, dropout: float):
    """The `transformers.BertConfig` of a preset: a stock BertForMaskedLM, so export needs no custom code."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=preset.hidden,
        num_hidden_layers=preset.layers,
        num_attention_heads=preset.heads,
        intermediate_size=preset.intermediate,
        max_position_embeddings=max(512, max_positions),
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        pad_token_id=pad_token_id,
        tie_word_embeddings=True,
        attn_implementation="sdpa",
    )


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Learning rate of optimizer step `step` (0-based): linear warmup, then linear or cosine decay."""
    peak, warmup, total = cfg.peak_lr, cfg.warmup_steps, cfg.total_steps
    if step < warmup:
        return peak * (step + 1) / warmup
    floor = peak * cfg.min_lr_ratio
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    if cfg.schedule == "cosine":
        return floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
    return floor + (peak - floor) * (1.0 - progress)
