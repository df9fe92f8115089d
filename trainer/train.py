"""The pretraining loop: a stock BertForMaskedLM trained on packed uint16 rows, fast on one GPU, right on many.

Run:
    olm-data pretrain --data tokenized-512/ --tokenizer tok/ --output runs/tiny/ --model tiny --tokens 33e9
    olm-data pretrain --nproc-per-node 8 ...                       # DDP on one machine; exits 75 after SIGTERM
    torchrun --nproc-per-node 8 -m olm_data.cli pretrain ...      # or under `srun` (SLURM_PROCID, ...); torchrun
                                                                   # itself exits 1, not 75, when SIGTERM stops it
    olm-data pretrain --resume runs/tiny/                          # continues exactly where it stopped

Where the speed comes from (benchmarks/trainer.py compares against the HF Trainer recipe):
1. fixed-count masking on the device (top-k of uniform noise, 80/10/10) and the MLM head on the masked
   positions only (data.SparseMLMLoss): the vocabulary projection shrinks ~7x and nothing waits on the host;
2. bf16 autocast and SDPA attention on CUDA, TF32 for what stays fp32;
3. torch.compile of the forward/backward (static shapes thanks to 1.), fused AdamW;
4. rows gathered from memmapped shards by a background thread into pinned buffers, copied non_blocking;
5. no host-device synchronisation inside the step: losses, accuracies and grad norms accumulate on the
   device and are read once per `log_every` steps;
6. large batches (2^19 tokens) with warmup and linear/cosine decay, so the GPU runs few, big kernels.

Exactness: the row order and every mask are pure functions of (seed, step, micro-batch), the learning rate is a
function of the step, and checkpoints carry model, optimizer, RNG states and the step, so a resumed run on CPU
in fp32 reproduces the uninterrupted run's losses step by step.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

from .config import PRESETS, RESUMABLE_OVERRIDES, TrainConfig, bert_config

logger = logging.getLogger(__name__)

CHECKPOINT_FORMAT = "olm-train-ckpt-v1"
INTERRUPTED_EXIT_CODE = 75  # EX_TEMPFAIL: "stopped by a signal, checkpoint saved, resume me"
# dense bf16 peak per device (vendor datasheets); the first name contained in the device name wins
PEAK_BF16_TFLOPS = (("H100 PCIe", 756.0), ("H100", 989.4), ("H200", 989.4), ("B200", 2250.0), ("A100", 312.0))


# ---- small pure helpers -------------------------------------------------------------------------------------
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


def flops_per_token(layers: int, hidden: int, intermediate: int, vocab: int, seq_len: int, masked: int) -> float:
    """Training FLOPs per input token of the model as it runs here (forward + backward = 3x forward).

    Per layer: Q/K/V/output projections 8H^2, feed-forward 4HI, attention scores and weighted sum 4LH. The MLM
    head (transform 2H^2, decoder 2HV) runs only on `masked` of the `seq_len` positions. Embedding lookups,
    norms and softmaxes are left out, as in the usual MFU convention.
    """
    body = layers * (8 * hidden * hidden + 4 * hidden * intermediate + 4 * seq_len * hidden)
    head = masked / seq_len * (2 * hidden * hidden + 2 * hidden * vocab)
    return 3.0 * (body + head)


def peak_flops(device_name: str, override_tflops: float | None = None) -> float | None:
    """Peak FLOP/s of one device for MFU, or None when unknown (CPUs, unlisted GPUs)."""
    if override_tflops:
        return override_tflops * 1e12
    for name, tflops in PEAK_BF16_TFLOPS:
        if name in device_name:
            return tflops * 1e12
    return None


def enable_tf32() -> None:
    """TF32 for the matmuls and convolutions that stay fp32 on CUDA, through one API only.

    torch >= 2.9 has the `fp32_precision` settings; once the legacy `allow_tf32` flags are set as well, reading
    either raises ("mix of the legacy and new APIs"), and inductor reads them when it compiles. Older torch only
    has the legacy flags.
    """
    import torch

    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "tf32"
        torch.backends.cudnn.conv.fp32_precision = "tf32"
    else:  # torch < 2.9
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def wrap_model(model: Any, ddp: bool, compile: bool, compile_mode: str = "default", device_index: int | None = None):
    """The module the loop calls: DistributedDataParallel first, then torch.compile around it.

    In this order dynamo sees the DDP module and splits the graph at DDP's gradient buckets (DDPOptimizer), so
    each bucket's all-reduce starts while backward still runs; DDP around a compiled module gets one opaque
    backward and can only all-reduce after it. `no_sync()` still reaches DDP through the compiled wrapper.
    """
    import torch

    if ddp:
        ids = [device_index] if device_index is not None else None
        model = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    if compile:
        model = torch.compile(model, mode=compile_mode)
    return model


def micro_batches(batch: int, world: int, grad_accum: int | None, max_micro: int | None) -> tuple[int, int]:
    """(rows per micro-batch, accumulation steps) of one process for a global batch of `batch` rows.

    An explicit `grad_accum` is kept as given; None picks the fewest accumulation steps whose micro-batch holds at
    most `max_micro` rows (all rows at once when there is no limit), so big presets fit one GPU without flags.
    """
    if batch % world:
        raise UsageError(f"batch size {batch} is not divisible by {world} processes")
    per_rank = batch // world
    if grad_accum:
        if per_rank % grad_accum:
            raise UsageError(f"batch size {batch} is not divisible by {world} processes x {grad_accum} accumulation")
        return per_rank // grad_accum, grad_accum
    limit = max(1, max_micro or per_rank)
    accum = next(a for a in range(1, per_rank + 1) if per_rank % a == 0 and per_rank // a <= limit)
    return per_rank // accum, accum


def rows_that_fit(free_bytes: float, fixed_bytes: float, bytes_per_row: float, budget: float = 0.85) -> int:
    """Micro-batch rows whose activations fit in `budget` of the free device memory (at least 1)."""
    return max(1, int((free_bytes * budget - fixed_bytes) // max(1.0, bytes_per_row)))


def measure_max_micro_batch(model: Any, vocab_size: int, seq_len: int, n_mask: int, tables: Any, amp: Any) -> int:
    """Rows per micro-batch that fit on this CUDA device, from the peak memory of two small eager steps.

    Eager needs more memory than the compiled step, so the estimate errs on the safe side. The optimizer's state
    (2 x params) is not allocated yet: the 15% left free covers it for every preset.
    """
    import torch

    from . import data as D

    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(0)
    peaks = []
    with torch.random.fork_rng(devices=[device]):  # dropout draws here must not shift the run's RNG stream
        for rows in (4, 8):
            torch.cuda.synchronize(device)
            torch.cuda.reset_peak_memory_stats(device)
            base = torch.cuda.memory_allocated(device)
            ids = torch.randint(0, vocab_size, (rows, seq_len), device=device, generator=generator)
            inputs, positions, labels = D.mask_tokens(ids, n_mask, tables, generator)
            with amp:
                loss = model(inputs, positions, labels)[0]
            loss.backward()
            model.zero_grad(set_to_none=True)
            peaks.append(torch.cuda.max_memory_allocated(device) - base)
    per_row = (peaks[1] - peaks[0]) / 4
    free, _ = torch.cuda.mem_get_info(device)
    return rows_that_fit(free, peaks[0] - 4 * per_row, per_row)


def _distributed_env() -> tuple[int, int, int]:
    """(rank, world size, local rank) from torchrun's or SLURM srun's variables; (0, 1, 0) for a plain launch."""
    env = os.environ
    if "RANK" in env and "WORLD_SIZE" in env:
        return int(env["RANK"]), int(env["WORLD_SIZE"]), int(env.get("LOCAL_RANK", 0))
    # SLURM_STEP_NUM_TASKS is set by srun for the step; a plain `python` in an sbatch script is a 1-task step
    if int(env.get("SLURM_STEP_NUM_TASKS", "1")) > 1 and "SLURM_PROCID" in env:
        if "MASTER_ADDR" not in env:
            nodes = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST", "")
            try:
                hosts = subprocess.run(
                    ["scontrol", "show", "hostnames", nodes], capture_output=True, text=True, check=True
                )
                env["MASTER_ADDR"] = hosts.stdout.split()[0]
            except (OSError, subprocess.CalledProcessError, IndexError):
                raise UsageError("under srun, set MASTER_ADDR (scontrol could not name the first node)") from None
        env.setdefault("MASTER_PORT", str(29500 + int(env.get("SLURM_JOB_ID", "0")) % 2000))
        return int(env["SLURM_PROCID"]), int(env["SLURM_STEP_NUM_TASKS"]), int(env.get("SLURM_LOCALID", 0))
    return 0, 1, 0


class _StopSignals:
    """Turns SIGTERM and SIGUSR1 (SLURM preemption / time limit) into a flag the loop reads between steps."""

    def __init__(self):
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():  # handlers can only be set there
            for sig in (signal.SIGTERM, getattr(signal, "SIGUSR1", None)):
                if sig is not None:
                    self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.received = signal.Signals(signum).name

    def __exit__(self, *exc: Any) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _checkpoints(run_dir: Path) -> list[Path]:
    """Checkpoints of a run, oldest first."""
    return sorted((run_dir / "checkpoints").glob("step-*.pt"))


def resume_config(run_dir: str | Path, **overrides: Any) -> TrainConfig:
    """The config of an earlier run, with the few settings a resumed run may change (RESUMABLE_OVERRIDES)."""
    run_dir = Path(run_dir)
    saved = run_dir / "train_config.json"
    if not saved.exists():
        raise UsageError(f"{run_dir} is not a pretraining run (no train_config.json)")
    cfg = TrainConfig.load(saved)
    changed = [k for k, v in overrides.items() if v is not None and getattr(cfg, k) != v]
    frozen = [k for k in changed if k not in RESUMABLE_OVERRIDES and k != "output"]
    if frozen:
        names = ", ".join("--" + k.replace("_", "-") for k in frozen)
        raise UsageError(f"cannot change {names} when resuming {run_dir}: it would no longer be the same run")
    for k in changed:
        setattr(cfg, k, overrides[k])
    cfg.output = str(run_dir)
    return cfg


# ---- the run ------------------------------------------------------------------------------------------------
def pretrain(config: TrainConfig, resume: bool = False) -> dict[str, Any]:
    """Pretrain (or, with resume=True, continue) a BERT masked LM and export it to `config.output`.

    Works single-process and under torchrun/srun (one process per device, gloo on CPU, NCCL on CUDA).

    Returns:
        A summary: output, steps, tokens, interrupted (stopped by a signal after saving a checkpoint), final
        train loss/acc, held-out eval_loss/eval_acc, unigram baseline, tokens_per_s, mfu, wall_s, and `log`
        (the logged training rows).
    """
    import numpy as np
    import torch
    import torch.distributed as dist
    from transformers import AutoTokenizer, BertForMaskedLM

    from . import data as D
    from .export import export_model

    cfg = config
    problems = cfg.validate()
    if problems:
        raise UsageError("; ".join(problems))
    out = Path(cfg.output)
    history = _checkpoints(out)
    if not resume and (history or (out / "model.safetensors").exists()):
        raise UsageError(f"{out} already holds a run: continue it with --resume {out}, or choose another --output")
    if resume and history:
        state = torch.load(history[-1], map_location="cpu", weights_only=True)
        saved = TrainConfig.from_dict(state["config"]).to_dict()
        differ = [k for k, v in cfg.to_dict().items() if k not in RESUMABLE_OVERRIDES + ("output",) and saved[k] != v]
        if differ:
            raise UsageError(
                f"config differs from the checkpoint's in {', '.join(differ)}; resume with the saved config"
            )
        if state["step"] >= cfg.total_steps and (out / "model.safetensors").exists():
            print(f"{out} is complete ({state['step']} steps, exported): nothing to resume", flush=True)
            return {"output": str(out), "steps": state["step"], "total_steps": cfg.total_steps, "interrupted": False,
                    "signal": None, "tokens": state["tokens"], "log": []}  # fmt: skip
    else:
        state = None

    # -- processes and device
    rank, world, local_rank = _distributed_env()
    master = rank == 0
    name = cfg.device
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        name = f"cuda:{local_rank}"
    device = torch.device(name)
    cuda = device.type == "cuda"
    if cuda and not torch.cuda.is_available():
        raise UsageError(f"--device {cfg.device}: no CUDA GPU is visible; use --device cpu")
    if cuda:
        torch.cuda.set_device(device)
        enable_tf32()
    own_group = world > 1 and not dist.is_initialized()
    if own_group:
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world)
    use_bf16 = cfg.dtype == "bf16" or (cfg.dtype == "auto" and cuda)
    use_compile = cfg.compile if cfg.compile is not None else cuda
    device_name = torch.cuda.get_device_name(device) if cuda else "cpu"

    # -- data
    shards = D.TokenShards(cfg.data, cfg.seq_len)
    tokenizer = _load_tokenizer(cfg.tokenizer, shards, AutoTokenizer)
    order = D.RowOrder(shards.rows, cfg.eval_rows, cfg.seed)
    if order.n_train < 1:
        raise UsageError(f"{cfg.data} holds {shards.rows} rows: too few to train on")
    batch = cfg.global_batch
    sample = shards.read(order.train_rows(np.arange(min(order.n_train, 4096))))
    if int(sample.max()) >= shards.vocab_size:
        raise UsageError(f"{cfg.data} holds token id {int(sample.max())} >= vocab_size {shards.vocab_size}")
    heldout = order.eval_rows()
    total, tokens_per_step = cfg.total_steps, cfg.tokens_per_step
    n_mask = cfg.masked_per_row

    # -- model, optimizer, state
    torch.manual_seed(cfg.seed)
    mconf = bert_config(cfg.preset, shards.vocab_size, shards.special_tokens["pad"], cfg.seq_len, cfg.dropout)
    mlm = BertForMaskedLM(mconf).to(device)
    model = D.SparseMLMLoss(mlm)
    decay = [p for p in mlm.parameters() if p.dim() >= 2]  # matrices and embeddings, not biases and norms
    no_decay = [p for p in mlm.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    amp = torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16)
    tables = D.MaskingTables(shards.vocab_size, shards.special_ids, shards.special_tokens["mask"], device)
    max_micro, grad_accum = cfg.max_micro_batch, cfg.grad_accum
    if grad_accum is None and max_micro is None and state is not None and state["world_size"] == world:
        grad_accum = int(state["grad_accum"])  # resume with the layout (and so the masks) the run started with
    if max_micro is None and grad_accum is None and cuda:
        max_micro = measure_max_micro_batch(model, shards.vocab_size, cfg.seq_len, n_mask, tables, amp)
        if world > 1:  # the smallest device decides, so every rank runs the same layout
            fit = torch.tensor([max_micro], device=device)
            dist.all_reduce(fit, op=dist.ReduceOp.MIN)
            max_micro = int(fit.item())
    micro, accum = micro_batches(batch, world, grad_accum, max_micro)
    optimizer = torch.optim.AdamW(groups, lr=cfg.peak_lr, betas=(cfg.beta1, cfg.beta2), eps=cfg.eps, fused=cuda)
    start_step, elapsed_before = 0, 0.0
    if state is not None:
        mlm.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_step, elapsed_before = int(state["step"]), float(state.get("elapsed_s", 0.0))
        if state["world_size"] == world and len(state["rng"]) == world:
            torch.set_rng_state(state["rng"][rank]["torch"])
            if cuda and state["rng"][rank]["cuda"] is not None:
                torch.cuda.set_rng_state(state["rng"][rank]["cuda"], device)
        if state["world_size"] * state["grad_accum"] != world * accum and master:
            logger.warning("resuming with a different micro-batch layout: same rows, different masks")
    step_model = wrap_model(model, world > 1, bool(use_compile), cfg.compile_mode, device.index if cuda else None)
    generator = torch.Generator(device=device)
    n_params = sum(p.numel() for p in mlm.parameters())
    flops_tok = flops_per_token(
        mconf.num_hidden_layers, mconf.hidden_size, mconf.intermediate_size, mconf.vocab_size, cfg.seq_len, n_mask
    )
    peak = peak_flops(device_name, cfg.peak_tflops)

    # -- logs (rank 0)
    metrics_path = out / "metrics.jsonl"
    tb = None
    if master:
        out.mkdir(parents=True, exist_ok=True)
        if not resume or not (out / "train_config.json").exists():
            cfg.save(out / "train_config.json")
        if metrics_path.exists():  # drop rows logged after the checkpoint we resume from
            rows = [json.loads(line) for line in metrics_path.read_text().splitlines() if line.strip()]
            keep = [r for r in rows if r.get("step", 0) <= start_step] if start_step else []
            metrics_path.write_text("".join(json.dumps(r) + "\n" for r in keep))
        if cfg.tensorboard:
            with contextlib.suppress(ImportError):
                from torch.utils.tensorboard import SummaryWriter

                tb = SummaryWriter(str(out / "tensorboard"), purge_step=start_step)
    metrics_file = open(metrics_path, "a") if master else None  # noqa: SIM115 - closed in finally

    def log(row: dict[str, Any]) -> None:
        if metrics_file is not None:
            metrics_file.write(json.dumps(row) + "\n")
            metrics_file.flush()
        if tb is not None:
            for key, value in row.items():
                if key not in ("kind", "step") and isinstance(value, int | float):
                    tb.add_scalar(f"{row['kind']}/{key}", value, row["step"])

    baseline = D.unigram_baseline(sample, shards.read(heldout), shards.vocab_size, shards.special_ids)
    if master:
        print(
            f"pretrain {cfg.model} ({n_params / 1e6:.2f}M params, L{mconf.num_hidden_layers} H{mconf.hidden_size}) on "
            f"{shards.rows:,} rows x {cfg.seq_len} ({order.n_eval} held out) | {world} x {device_name} | "
            f"batch {batch} x {cfg.seq_len} = {tokens_per_step:,} tokens/step, micro {micro} x accum {accum} | "
            f"{total:,} steps = {total * tokens_per_step / 1e9:.3g}B tokens | bf16 {use_bf16} compile {use_compile}"
            + (f" | resuming at step {start_step}" if start_step else ""),
            flush=True,
        )
        if start_step == 0:
            log({"kind": "baseline", "step": 0, "params": n_params, "flops_per_token": flops_tok, **baseline})

    @torch.no_grad()
    def evaluate() -> dict[str, float]:
        """Held-out MLM loss/accuracy with fixed masks, split across ranks, token-weighted."""
        sums = torch.zeros(3, dtype=torch.float64, device=device)
        model.eval()
        for chunk in range(rank, math.ceil(len(heldout) / micro), world):
            rows = heldout[chunk * micro : (chunk + 1) * micro]
            ids = D.to_device(torch.from_numpy(shards.read(rows).view(np.int16)), device)
            generator.manual_seed(D.mask_seed(cfg.seed, -1, chunk))
            inputs, positions, labels = D.mask_tokens(ids, n_mask, tables, generator)
            with amp:
                loss, correct, count = model(inputs, positions, labels)
            sums += torch.stack([loss.double() * count, correct.double(), count.double()])
        model.train()
        if world > 1:
            dist.all_reduce(sums)
        loss_sum, correct, count = sums.tolist()
        return {"eval_loss": loss_sum / max(count, 1), "eval_acc": correct / max(count, 1)}

    def save_checkpoint(step: int, elapsed: float) -> None:
        rng = {"torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(device) if cuda else None}
        rngs = [None] * world
        if world > 1:
            dist.all_gather_object(rngs, rng)
        else:
            rngs = [rng]
        if master:
            checkpoint = {
                "format": CHECKPOINT_FORMAT,
                "step": step,
                "tokens": step * tokens_per_step,
                "data_position": step * batch,  # rows consumed; epoch = data_position // order.n_train
                "elapsed_s": elapsed,
                "world_size": world,
                "grad_accum": accum,
                "config": cfg.to_dict(),
                "schedule": {"lr": lr_at(min(step, total - 1), cfg), "warmup_steps": cfg.warmup_steps, "total": total},
                "model": mlm.state_dict(),
                "optimizer": optimizer.state_dict(),
                "rng": rngs,
            }
            path = out / "checkpoints" / f"step-{step:08d}.pt"
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.save(checkpoint, path.with_suffix(".tmp"))
            os.replace(path.with_suffix(".tmp"), path)  # a crash mid-write never leaves a broken checkpoint
            for old in _checkpoints(out)[: -max(1, cfg.keep_checkpoints)]:
                old.unlink()
        if world > 1:
            dist.barrier()

    # -- the loop
    loader = D.BatchLoader(
        shards, order, batch, micro, [rank * accum + a for a in range(accum)], start_step, total, pin=cuda
    )
    # ranks agree on stopping after every step through a CPU (gloo) all-reduce that is started after step s and
    # read after step s+1: it never waits on the GPU, and every rank sees the same flag, so all stop at one step
    stop_group = dist.new_group(backend="gloo") if world > 1 else None
    stop_vote: tuple[Any, torch.Tensor] | None = None
    zero = torch.zeros((), device=device)
    window = [zero.clone() for _ in range(4)]  # loss sum, correct, count, grad-norm sum: read once per log
    logged: list[dict[str, Any]] = []
    last: dict[str, Any] = {}
    last_eval: dict[str, float] = {}
    step = start_step
    t0 = t_window = time.perf_counter()
    window_start, paused, window_paused = start_step, 0.0, 0.0  # paused: seconds spent evaluating/checkpointing
    measured = None  # (time, step, paused) at the end of the first window: throughput excludes compile warm-up
    interrupted = None
    try:
        with _StopSignals() as stop:
            while step < total:
                for micro_step in range(accum):
                    batch_step, chunk, host = next(loader)
                    assert batch_step == step, (batch_step, step)
                    ids = D.to_device(host, device)
                    generator.manual_seed(D.mask_seed(cfg.seed, step, chunk))
                    inputs, positions, labels = D.mask_tokens(ids, n_mask, tables, generator)
                    sync = micro_step == accum - 1 or world == 1
                    with contextlib.nullcontext() if sync else step_model.no_sync(), amp:
                        loss, correct, count = step_model(inputs, positions, labels)
                    (loss / accum).backward()
                    window[0] += loss.detach()
                    window[1] += correct
                    window[2] += count
                lr = lr_at(step, cfg)
                for group in optimizer.param_groups:
                    group["lr"] = lr
                grad_norm = torch.nn.utils.clip_grad_norm_(mlm.parameters(), cfg.grad_clip or float("inf"))
                window[3] += grad_norm.detach()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1

                at_log = step % cfg.log_every == 0 or step == total
                if at_log:
                    sums = torch.stack(window).double()
                    if world > 1:
                        dist.all_reduce(sums)
                    loss_sum, correct_sum, count_sum, norm_sum = sums.tolist()
                    if cuda:
                        torch.cuda.synchronize(device)
                    now = time.perf_counter()
                    steps_done = step - window_start
                    rate = steps_done * tokens_per_step / (now - t_window - (paused - window_paused))
                    last = {
                        "kind": "train",
                        "step": step,
                        "tokens": step * tokens_per_step,
                        "loss": loss_sum / (steps_done * accum * world),
                        "acc": correct_sum / max(count_sum, 1),
                        "lr": lr,
                        "grad_norm": norm_sum / (steps_done * world),
                        "tokens_per_s": rate,
                        "mfu": rate * flops_tok / (peak * world) if peak else None,
                        "elapsed_s": elapsed_before + now - t0,
                    }
                    logged.append(last)
                    log(last)
                    if master:
                        print(_progress(last, total), flush=True)
                    if measured is None:
                        measured = (now, step, paused)
                    window = [zero.clone() for _ in range(4)]
                    t_window, window_start, window_paused = now, step, paused

                pause_start = time.perf_counter()
                if len(heldout) and ((cfg.eval_every and step % cfg.eval_every == 0) or step == total):
                    last_eval = {"kind": "eval", "step": step, "tokens": step * tokens_per_step, **evaluate()}
                    log(last_eval)
                    if master:
                        print(
                            f"  held-out: loss {last_eval['eval_loss']:.4f} acc {last_eval['eval_acc']:.4f}",
                            flush=True,
                        )

                stop_now = stop.received is not None  # a lone process stops on the step it got the signal
                if world > 1:
                    stop_now = False
                    if stop_vote is not None:
                        stop_vote[0].wait()
                        stop_now = bool(stop_vote[1].item())
                    flag = torch.tensor([float(stop.received is not None)])
                    stop_vote = (dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=stop_group, async_op=True), flag)
                if (cfg.ckpt_every and step % cfg.ckpt_every == 0) or step == total or stop_now:
                    save_checkpoint(step, elapsed_before + time.perf_counter() - t0)
                paused += time.perf_counter() - pause_start  # evaluation and checkpoints are not training speed
                if stop_now and step < total:
                    interrupted = stop.received or "signal"
                    if master:
                        print(f"stopped by {interrupted} at step {step}: resume with --resume {out}", flush=True)
                    break
            if stop_vote is not None:
                stop_vote[0].wait()  # every rank started the same votes: finish the last one before leaving
    finally:
        loader.close()
        if metrics_file is not None:
            metrics_file.close()
        if tb is not None:
            tb.close()

    wall = time.perf_counter() - t0
    if measured is not None and step > measured[1]:
        train_time = time.perf_counter() - measured[0] - (paused - measured[2])
        tokens_per_s = (step - measured[1]) * tokens_per_step / train_time
    else:
        tokens_per_s = last.get("tokens_per_s")
    summary = {
        "output": str(out),
        "steps": step,
        "total_steps": total,
        "tokens": step * tokens_per_step,
        "interrupted": interrupted is not None,
        "signal": interrupted,
        "loss": last.get("loss"),
        "acc": last.get("acc"),
        "eval_loss": last_eval.get("eval_loss"),
        "eval_acc": last_eval.get("eval_acc"),
        **baseline,
        "tokens_per_s": tokens_per_s,
        "mfu": tokens_per_s * flops_tok / (peak * world) if peak and tokens_per_s else None,
        "flops_per_token": flops_tok,
        "params": n_params,
        "device": device_name,
        "world_size": world,
        "micro_batch": micro,
        "grad_accum": accum,
        "bf16": use_bf16,
        "compiled": bool(use_compile),
        "wall_s": wall,
        "log": logged,
    }
    if interrupted is None and master:
        export_model(mlm, cfg.tokenizer, out, cfg, summary, shards.index, tokenizer=tokenizer)
        print(
            f"done: {step} steps, {summary['tokens'] / 1e9:.3g}B tokens in {wall:.0f}s | "
            f"{(tokens_per_s or 0) / 1e6:.3f}M tok/s | exported to {out}",
            flush=True,
        )
    if world > 1:
        dist.barrier()
        if own_group:
            dist.destroy_process_group()
    return summary


def _load_tokenizer(path: str, shards: Any, auto_tokenizer: Any) -> Any:
    """The run's tokenizer, checked against the data it is supposed to have produced."""
    if not Path(path).exists():
        raise UsageError(f"tokenizer folder {path} does not exist")
    try:
        tokenizer = auto_tokenizer.from_pretrained(path)
    except (OSError, ValueError) as err:
        raise UsageError(f"cannot load a tokenizer from {path}: {err}") from None
    if len(tokenizer) > shards.vocab_size:
        raise UsageError(f"tokenizer {path} has {len(tokenizer)} tokens, the data's vocab_size is {shards.vocab_size}")
    if tokenizer.mask_token_id != shards.special_tokens["mask"]:
        raise UsageError(
            f"tokenizer {path} has [MASK] id {tokenizer.mask_token_id}, the data says {shards.special_tokens['mask']}"
        )
    return tokenizer


def _progress(row: dict[str, Any], total: int) -> str:
    """One console line per log step."""
    elapsed = row["elapsed_s"]
    eta = elapsed / row["step"] * (total - row["step"]) if row["step"] else 0
    mfu = f" | MFU {row['mfu']:.1%}" if row["mfu"] is not None else ""
    return (
        f"step {row['step']:>{len(str(total))}}/{total} | loss {row['loss']:.4f} | acc {row['acc']:.4f} | "
        f"lr {row['lr']:.2e} | gnorm {row['grad_norm']:.3f} | {row['tokens_per_s'] / 1e6:.3f}M tok/s{mfu} | "
        f"{_clock(elapsed)} elapsed, eta {_clock(eta)}"
    )


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# ---- command line -------------------------------------------------------------------------------------------
_CLI_FIELDS = {  # flag -> (type, help)
    "data": (str, "tokenized data folder (with memmap/index.json)"),
    "tokenizer": (str, "tokenizer folder (AutoTokenizer); copied into the exported model"),
    "output": (str, "run folder: becomes the Hugging Face model folder; checkpoints in OUTPUT/checkpoints/"),
    "model": (str, f"model preset: {', '.join(PRESETS)} (default tiny)"),
    "tokens": (float, "tokens to train on, e.g. 33e9 (default 33e9)"),
    "steps": (int, "optimizer steps (overrides --tokens)"),
    "seq_len": (int, "sequence length; must divide the data's row length (default 512)"),
    "batch_size": (int, "global rows per optimizer step (default 2^19 tokens / seq-len)"),
    "grad_accum": (int, "micro-batches accumulated per step and process (default: as few as keep --max-micro-batch)"),
    "max_micro_batch": (int, "rows per micro-batch and process at most (default: measured on CUDA, no limit on CPU)"),
    "lr": (float, "peak learning rate (default: the preset's, 1e-3 for tiny)"),
    "min_lr_ratio": (float, "final lr as a share of the peak (default 0)"),
    "warmup": (float, "warmup: steps if >= 1, share of all steps if < 1 (default 0.06)"),
    "schedule": (str, "decay after warmup: linear or cosine (default linear)"),
    "weight_decay": (float, "AdamW weight decay (default 0.01)"),
    "beta2": (float, "AdamW beta2 (default 0.98)"),
    "grad_clip": (float, "max gradient norm, 0 = off (default 1.0)"),
    "mask_prob": (float, "share of positions predicted per row (default 0.15)"),
    "dropout": (float, "dropout while pretraining (default 0)"),
    "eval_every": (int, "steps between held-out evaluations (default 1000)"),
    "eval_rows": (int, "rows held out for evaluation (default 2048)"),
    "ckpt_every": (int, "steps between checkpoints (default 1000)"),
    "keep_checkpoints": (int, "checkpoints kept (default 2)"),
    "log_every": (int, "steps between log lines (default 50)"),
    "device": (str, "auto, cpu, cuda, cuda:N (default auto)"),
    "dtype": (str, "auto (bf16 on CUDA, fp32 on CPU), bf16 or fp32"),
    "compile_mode": (str, "torch.compile mode (default 'default')"),
    "seed": (int, "seed of weights, data order and masks (default 42)"),
    "peak_tflops": (float, "device peak TFLOP/s for MFU (known GPUs are detected)"),
}


def launch_local(nproc: int, argv: list[str]) -> int:
    """Run `pretrain argv` in `nproc` processes on this machine, like `torchrun --standalone`, but signal-safe.

    torchrun forwards SIGTERM, yet SIGKILLs workers after its shutdown timeout (30 s) and exits 1 whatever they
    return, so a SLURM requeue that waits for exit code 75 never fires. This parent forwards SIGTERM/SIGUSR1/SIGINT,
    waits as long as the workers need to write their checkpoint, and returns 75 when they stopped for a signal.
    """
    import socket

    with socket.socket() as sock:  # a free port for the rendezvous
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "WORLD_SIZE": str(nproc),
            "LOCAL_WORLD_SIZE": str(nproc)}  # fmt: skip
    command = [sys.executable, "-m", "olm_data.trainer.train", "pretrain", *argv]
    procs = [
        subprocess.Popen(command, env={**base, "RANK": str(r), "LOCAL_RANK": str(r)}, start_new_session=True)
        for r in range(nproc)
    ]

    def forward(signum: int, frame: Any) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT)}
    try:
        while any(proc.poll() is None for proc in procs):
            if any(proc.returncode not in (None, 0, INTERRUPTED_EXIT_CODE) for proc in procs):
                for proc in procs:  # one worker failed: the others would wait in a collective forever
                    if proc.poll() is None:
                        proc.kill()
            time.sleep(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    codes = [proc.returncode for proc in procs]
    failed = [c for c in codes if c not in (0, INTERRUPTED_EXIT_CODE)]
    if failed:
        return failed[0] if failed[0] > 0 else 1
    return INTERRUPTED_EXIT_CODE if INTERRUPTED_EXIT_CODE in codes else 0


def _worker_argv(given: dict[str, Any]) -> list[str]:
    """The `pretrain` flags that reproduce `given` (parsed CLI values) for the workers of launch_local."""
    argv = ["--resume", given["resume"]] if given.get("resume") else []
    for name, value in given.items():
        flag = "--" + name.replace("_", "-")
        if name in _CLI_FIELDS:
            argv += [flag, str(value)]
        elif name == "compile":
            argv.append("--compile" if value else "--no-compile")
        elif name == "tensorboard" and not value:
            argv.append("--no-tensorboard")
    return argv


def add_cli(subparsers: Any) -> None:
    """Register `olm-data pretrain`."""
    parser = subparsers.add_parser(
        "pretrain",
        help="pretrain a BERT masked LM on tokenized shards (single GPU/CPU, torchrun or srun)",
        description=__doc__.split("\n\n")[0]
        + f" Exits {INTERRUPTED_EXIT_CODE} when stopped by SIGTERM/SIGUSR1 after saving a checkpoint.",
    )
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its last checkpoint")
    choices = {"model": list(PRESETS), "schedule": ["linear", "cosine"], "dtype": ["auto", "bf16", "fp32"]}
    for name, (kind, text) in _CLI_FIELDS.items():
        flag = "--" + name.replace("_", "-")
        parser.add_argument(flag, type=kind, default=None, choices=choices.get(name), help=text)
    parser.add_argument(
        "--compile",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="torch.compile the step (default: on CUDA)",
    )
    parser.add_argument("--no-tensorboard", dest="tensorboard", action="store_false", default=None)
    parser.add_argument(
        "--nproc-per-node",
        type=int,
        default=1,
        metavar="N",
        help=f"run N processes on this machine (DDP; use instead of torchrun, which exits 1, not "
        f"{INTERRUPTED_EXIT_CODE}, when SIGTERM stops the run)",
    )
    parser.set_defaults(func=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    """`olm-data pretrain`: 0 when the run finished and was exported, 75 when a signal stopped it."""
    given = {k: getattr(args, k, None) for k in [*_CLI_FIELDS, "compile", "tensorboard"]}
    given = {k: v for k, v in given.items() if v is not None}
    if getattr(args, "nproc_per_node", 1) > 1 and "RANK" not in os.environ:
        return launch_local(args.nproc_per_node, _worker_argv({"resume": args.resume, **given}))
    if args.resume:
        result = pretrain(resume_config(args.resume, **given), resume=True)
    else:
        missing = [f"--{k}" for k in ("data", "tokenizer", "output") if k not in given]
        if missing:
            raise UsageError(f"pretrain needs {' '.join(missing)} (or --resume RUN_DIR)")
        result = pretrain(TrainConfig(**given))
    return INTERRUPTED_EXIT_CODE if result["interrupted"] else 0


def main(argv: list[str] | None = None) -> int:
    """`python -m olm_data.trainer.train pretrain ...`: the same command without the olm-data CLI around it."""
    parser = argparse.ArgumentParser(prog="python -m olm_data.trainer.train")
    add_cli(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
