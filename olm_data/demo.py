"""The demo end of pipelines/olm_december_2022.py: a short tiny-BERT pretraining run, then a fill-mask example.

Enough to see the loss fall on a CPU in minutes; real pretraining runs are `olm-data pretrain` on a GPU node.
"""

from __future__ import annotations

from pathlib import Path

DEMO = "The Covid-19 [MASK] is global."
SAMPLE_TOKENS = 2e5  # pretraining tokens with --sample when not given; 0 (no pretraining) on real data


def pretrain_and_demo(data: str, tokenizer: str, output: str, tokens: float, seed: int) -> None:
    """A short pretraining run (seq 128, small batches: enough to see the loss fall on CPU), then fill-mask."""
    from olm_data.trainer.config import TrainConfig
    from olm_data.trainer.export import fill_mask
    from olm_data.trainer.train import pretrain

    config = TrainConfig(
        data=data, tokenizer=tokenizer, output=output, model="tiny", tokens=tokens, seq_len=128, batch_size=32,
        lr=1e-3, warmup=0.1, eval_every=0, eval_rows=32, ckpt_every=0, log_every=10, seed=seed,
    )  # fmt: skip
    pretrain(config, resume=(Path(output) / "checkpoints").is_dir())  # a run cut off earlier continues
    print(f"\nfill-mask demo ({output}): {DEMO}")
    for guess in fill_mask(output, DEMO):
        print(f"  {guess['token_str']:<16} {guess['score']:.3f}")
