"""Checkpoints of a pretraining run: one dict of model, optimizer, RNG states, step and config, like nanoGPT's.

`RUN_DIR/checkpoints/step-NNNNNNNN.pt`, written atomically, the last `keep_checkpoints` kept. A run resumes from
its newest checkpoint with the saved config; only the settings in RESUMABLE_OVERRIDES may change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

from .config import RESUMABLE_OVERRIDES, TrainConfig, lr_at

CHECKPOINT_FORMAT = "olm-train-ckpt-v1"


def list_checkpoints(run_dir: Path) -> list[Path]:
    """Checkpoints of a run, oldest first."""
    return sorted((run_dir / "checkpoints").glob("step-*.pt"))


def frozen_changes(saved: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The settings that differ between two configs and that a resumed run may not change (the one check)."""
    return [k for k, v in new.items() if k not in RESUMABLE_OVERRIDES and k != "output" and saved[k] != v]


def resume_config(run_dir: str | Path, **overrides: Any) -> TrainConfig:
    """The config of an earlier run, with the few settings a resumed run may change (RESUMABLE_OVERRIDES)."""
    run_dir = Path(run_dir)
    saved = run_dir / "train_config.json"
    if not saved.exists():
        raise UsageError(f"{run_dir} is not a pretraining run (no train_config.json)")
    cfg = TrainConfig.load(saved)
    changed = {k: v for k, v in overrides.items() if v is not None}
    frozen = frozen_changes(cfg.to_dict(), changed)
    if frozen:
        names = ", ".join("--" + k.replace("_", "-") for k in frozen)
        raise UsageError(f"cannot change {names} when resuming {run_dir}: it would no longer be the same run")
    for k, v in changed.items():
        setattr(cfg, k, v)
    cfg.output = str(run_dir)
    return cfg


def load_latest(cfg: TrainConfig, resume: bool) -> dict[str, Any] | None:
    """The newest checkpoint of `cfg.output` when resuming (None for a fresh run or none saved yet).

    Refuses to start a fresh run over an existing one, and to resume with a config the checkpoint was not made with.
    """
    import torch

    out = Path(cfg.output)
    history = list_checkpoints(out)
    if not resume and (history or (out / "model.safetensors").exists()):
        raise UsageError(f"{out} already holds a run: continue it with --resume {out}, or choose another --output")
    if not (resume and history):
        return None
    state = torch.load(history[-1], map_location="cpu", weights_only=True)
    differ = frozen_changes(TrainConfig.from_dict(state["config"]).to_dict(), cfg.to_dict())
    if differ:
        raise UsageError(f"config differs from the checkpoint's in {', '.join(differ)}; resume with the saved config")
    return state


def restore(
    state: dict[str, Any], model: Any, optimizer: Any, rank: int, world: int, device: Any
) -> tuple[int, float]:
    """Load a checkpoint's weights, optimizer and (same world size) this rank's RNG; (step, elapsed seconds)."""
    import torch

    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if state["world_size"] == world and len(state["rng"]) == world:
        torch.set_rng_state(state["rng"][rank]["torch"])
        if device.type == "cuda" and state["rng"][rank]["cuda"] is not None:
            torch.cuda.set_rng_state(state["rng"][rank]["cuda"], device)
    return int(state["step"]), float(state.get("elapsed_s", 0.0))


def save_checkpoint(
    cfg: TrainConfig, step: int, elapsed: float, model: Any, optimizer: Any, world: int, grad_accum: int, device: Any
) -> None:
    """Every rank calls this: rank 0 writes the checkpoint with all ranks' RNG states and prunes old ones."""
    import torch
    import torch.distributed as dist

    cuda = device.type == "cuda"
    rng = {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(device) if cuda else None}
    rngs = [None] * world
    if world > 1:
        dist.all_gather_object(rngs, rng)
    else:
        rngs = [rng]
    if world == 1 or dist.get_rank() == 0:
        total = cfg.total_steps
        checkpoint = {
            "format": CHECKPOINT_FORMAT,
            "step": step,
            "tokens": step * cfg.tokens_per_step,
            "data_position": step * cfg.global_batch,  # rows consumed; epoch = data_position // order.n_train
            "elapsed_s": elapsed,
            "world_size": world,
            "grad_accum": grad_accum,
            "config": cfg.to_dict(),
            "schedule": {"lr": lr_at(min(step, total - 1), cfg), "warmup_steps": cfg.warmup_steps, "total": total},
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "rng": rngs,
        }
        out = Path(cfg.output)
        path = out / "checkpoints" / f"step-{step:08d}.pt"
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(checkpoint, path.with_suffix(".tmp"))
        os.replace(path.with_suffix(".tmp"), path)  # a crash mid-write never leaves a broken checkpoint
        for old in list_checkpoints(out)[: -max(1, cfg.keep_checkpoints)]:
            old.unlink()
    if world > 1:
        dist.barrier()
