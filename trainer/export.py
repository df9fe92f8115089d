"""Turn a finished run folder into a Hugging Face model folder: weights, config, tokenizer and a model card.

CONTRACT with the evaluation code: `AutoModelForMaskedLM.from_pretrained(run_dir)` and
`pipeline("fill-mask", model=run_dir)` load the folder as it is; the model card `README.md` ends with the
training sections, and the evaluation code appends its own `## Evaluation` section.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

from .config import TrainConfig


def export_model(
    mlm: Any,
    tokenizer_dir: str | Path,
    output: str | Path,
    config: TrainConfig,
    summary: dict[str, Any],
    data_index: dict[str, Any],
    tokenizer: Any = None,
) -> Path:
    """Write `config.json`, `model.safetensors` (tied embeddings kept tied), the tokenizer and `README.md`.

    Args:
        mlm: the trained `BertForMaskedLM`.
        tokenizer_dir: tokenizer folder the data was made with.
        output: the run folder.
        config: the run's TrainConfig.
        summary: what `pretrain` measured (steps, tokens, losses, throughput, ...).
        data_index: the data's `index.json` contents (rows, tokens, seq_len, vocab).
        tokenizer: the already loaded tokenizer (loaded from tokenizer_dir when None).
    """
    from transformers import AutoTokenizer

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    mlm.save_pretrained(output)
    # pretraining ran without dropout (see config.py); fine-tuning code reads these from config.json
    hf_config = copy.deepcopy(mlm.config)
    hf_config.hidden_dropout_prob = config.export_dropout
    hf_config.attention_probs_dropout_prob = config.export_dropout
    hf_config.save_pretrained(output)
    tokenizer = tokenizer if tokenizer is not None else AutoTokenizer.from_pretrained(tokenizer_dir)
    if tokenizer.model_max_length > hf_config.max_position_embeddings:  # "unlimited" default: pipelines need it
        tokenizer.model_max_length = hf_config.max_position_embeddings
    tokenizer.save_pretrained(output)
    (output / "README.md").write_text(model_card(hf_config, config, summary, data_index, str(tokenizer_dir)))
    return output


def model_card(hf_config: Any, config: TrainConfig, summary: dict[str, Any], index: dict[str, Any], tok: str) -> str:
    """The model card: what the model is, what it saw, how it was trained and how fast; no evaluation yet."""
    name = Path(config.output).name
    params = summary.get("params") or 0

    def num(value: Any, fmt: str = ".4f") -> str:
        return "n/a" if value is None else format(value, fmt)

    mfu = summary.get("mfu")
    warmup = config.warmup_steps
    decay = "cosine" if config.schedule == "cosine" else "linear"
    rows = [
        ("steps", f"{summary['steps']:,}"),
        ("tokens seen", f"{summary['tokens']:,} ({summary['tokens'] / 1e9:.3g} B)"),
        (
            "batch",
            f"{config.global_batch:,} rows x {config.seq_len} = {config.tokens_per_step:,} tokens per step "
            f"({summary['world_size']} process(es), gradient accumulation {summary['grad_accum']})",
        ),
        (
            "optimizer",
            f"AdamW, peak lr {config.peak_lr:g}, betas ({config.beta1:g}, {config.beta2:g}), eps {config.eps:g}, "
            f"weight decay {config.weight_decay:g} (not on biases/LayerNorm), gradient clipping {config.grad_clip:g}",
        ),
        ("schedule", f"{warmup:,} warmup steps, then {decay} decay to {config.min_lr_ratio:g} x peak"),
        (
            "masking",
            f"{config.mask_prob:.0%} of positions: a fixed {config.masked_per_row} per row, special tokens never; "
            "80% [MASK] / 10% random token / 10% unchanged",
        ),
        (
            "dropout",
            f"{config.dropout:g} while pretraining; config.json carries {config.export_dropout:g} for fine-tuning",
        ),
        ("precision", "bf16 autocast" if summary.get("bf16") else "fp32"),
        ("torch.compile", "yes" if summary.get("compiled") else "no"),
        ("hardware", f"{summary['world_size']} x {summary.get('device', 'n/a')}"),
        ("wall time", f"{summary.get('wall_s', 0) / 3600:.2f} h"),
        ("seed", str(config.seed)),
    ]
    results = [
        ("training MLM loss (last log window)", num(summary.get("loss"))),
        ("training masked-token accuracy", num(summary.get("acc"))),
        ("held-out MLM loss", num(summary.get("eval_loss"))),
        ("held-out masked-token accuracy", num(summary.get("eval_acc"))),
        ("unigram baseline loss (no context)", num(summary.get("unigram_loss"))),
        ("unigram baseline accuracy (most frequent token)", num(summary.get("unigram_acc"))),
    ]
    tps = summary.get("tokens_per_s")
    throughput = [
        ("tokens/s (all processes, after warm-up)", "n/a" if tps is None else f"{tps:,.0f}"),
        ("model FLOPs utilisation", "n/a (unknown device peak)" if mfu is None else f"{mfu:.1%}"),
        (
            "training FLOPs per token",
            f"{summary.get('flops_per_token', 0) / 1e6:.2f} M (MLM head on masked positions only)",
        ),
    ]

    def table(pairs: list[tuple[str, str]]) -> str:
        return "| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in pairs)

    data_rows = [
        ("data", f"`{config.data}`"),
        ("rows", f"{index.get('rows', 0):,} of {index.get('seq_len')} tokens, packed `[CLS] doc [SEP]` documents"),
        ("tokens (non-padding)", f"{index.get('tokens', 0):,}"),
        (
            "held out for evaluation",
            f"{min(config.eval_rows, index.get('rows', 0) // 10):,} rows (fixed, spread over the data)",
        ),
        ("tokenizer", f"`{tok}`, vocabulary {hf_config.vocab_size:,}"),
        *((str(k), str(v)) for k, v in config.extra.items()),  # e.g. the corpus' name and snapshot
    ]
    return f"""---
language: en
license: apache-2.0
library_name: transformers
pipeline_tag: fill-mask
tags:
- bert
- masked-lm
- olm
---

# {name}

A BERT-{config.model} masked language model (L={hf_config.num_hidden_layers}, H={hf_config.hidden_size}, \
A={hf_config.num_attention_heads}, feed-forward {hf_config.intermediate_size}; {params / 1e6:.2f} M parameters, \
vocabulary {hf_config.vocab_size:,}) pretrained from scratch with masked language modelling by the olm-data trainer \
on {datetime.date.today().isoformat()}. It is a stock `BertForMaskedLM` with tied input/output embeddings.

```python
from transformers import pipeline

fill = pipeline("fill-mask", model="{config.output}")
fill("The Covid-19 [MASK] is global.")
```

## Training data

{table(data_rows)}
## Training

{table(rows)}
Full configuration: `train_config.json`; training curves: `metrics.jsonl`.

## Pretraining results

Masked-token loss and accuracy on the held-out rows, with the same fixed-count masking as in training.

{table(results)}
## Throughput

{table(throughput)}"""


def fill_mask(model_dir: str | Path, text: str, top_k: int = 5) -> list[dict[str, Any]]:
    """Top-k fillers of the `[MASK]` in `text` from an exported model, via transformers' fill-mask pipeline."""
    from transformers import pipeline

    if not (Path(model_dir) / "config.json").exists():
        raise UsageError(f"{model_dir} is not an exported model (no config.json): finish or resume the run first")
    fill = pipeline("fill-mask", model=str(model_dir), tokenizer=str(model_dir), device="cpu")
    return fill(text.replace("[MASK]", fill.tokenizer.mask_token), top_k=top_k)
