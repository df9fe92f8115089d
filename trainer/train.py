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

import contextlib
import logging
import math
import time
from pathlib import Path
from typing import Any

from olm_data.errors import UsageError

from . import checkpoint
from .checkpoint import resume_config  # noqa: F401 - importable from here as before
from .config import TrainConfig, bert_config, lr_at
from .distributed import (
    StopSignals,
    end_processes,
    measure_max_micro_batch,
    micro_batches,
    start_processes,
    wrap_model,
)
from .metrics import MetricsLog, flops_per_token, peak_flops, progress_line

logger = logging.getLogger(__name__)


# ---- small pure helpers -------------------------------------------------------------------------------------
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
    state = checkpoint.load_latest(cfg, resume)
    if state is not None and state["step"] >= cfg.total_steps and (out / "model.safetensors").exists():
        print(f"{out} is complete ({state['step']} steps, exported): nothing to resume", flush=True)
        return {"output": str(out), "steps": state["step"], "total_steps": cfg.total_steps, "interrupted": False,
                "signal": None, "tokens": state["tokens"], "log": []}  # fmt: skip

    # -- processes and device
    procs = start_processes(cfg.device)
    rank, world, master, device, cuda = procs.rank, procs.world, procs.master, procs.device, procs.cuda
    if cuda:
        enable_tf32()
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
        start_step, elapsed_before = checkpoint.restore(state, mlm, optimizer, rank, world, device)
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
    if master:
        out.mkdir(parents=True, exist_ok=True)
        if not resume or not (out / "train_config.json").exists():
            cfg.save(out / "train_config.json")
    metrics = MetricsLog(out, master, start_step, cfg.tensorboard)
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
            metrics.write(
                {"kind": "baseline", "step": 0, "params": n_params, "flops_per_token": flops_tok, **baseline}
            )

    # -- the loop
    loader = D.BatchLoader(
        shards, order, batch, micro, [rank * accum + a for a in range(accum)], start_step, total, pin=cuda
    )
    # ranks agree on stopping after every step through a CPU (gloo) all-reduce that is started after step s and
    # read after step s+1: it never waits on the GPU, and every rank sees the same flag, so all stop at one step
    stop_group = dist.new_group(backend="gloo") if world > 1 else None
    stop_vote: tuple[Any, torch.Tensor] | None = None
    flags = (torch.zeros(1), torch.zeros(1))  # two votes in flight at most: reused, not one tensor per step
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
        with StopSignals() as stop:
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
                    metrics.write(last)
                    if master:
                        print(progress_line(last, total), flush=True)
                    if measured is None:
                        measured = (now, step, paused)
                    window = [zero.clone() for _ in range(4)]
                    t_window, window_start, window_paused = now, step, paused

                pause_start = time.perf_counter()
                if len(heldout) and ((cfg.eval_every and step % cfg.eval_every == 0) or step == total):
                    scores = evaluate_heldout(model, shards, heldout, micro, tables, generator, amp, cfg, procs)
                    last_eval = {"kind": "eval", "step": step, "tokens": step * tokens_per_step, **scores}
                    metrics.write(last_eval)
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
                    flag = flags[step % 2].fill_(float(stop.received is not None))
                    stop_vote = (dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=stop_group, async_op=True), flag)
                if (cfg.ckpt_every and step % cfg.ckpt_every == 0) or step == total or stop_now:
                    elapsed = elapsed_before + time.perf_counter() - t0
                    checkpoint.save_checkpoint(cfg, step, elapsed, mlm, optimizer, world, accum, device)
                paused += time.perf_counter() - pause_start  # evaluation and checkpoints are not training speed
                if stop_now and step < total:
                    interrupted = stop.received or "signal"
                    if master:
                        print(f"stopped by {interrupted} at step {step}: resume with --resume {out}", flush=True)
                    break
            if stop_vote is not None:
                stop_vote[0].wait()  # every rank started the same votes: finish the last one before leaving
                # the stop group stays registered, as the main one does (see end_processes: no destructor here)
    finally:
        loader.close()
        metrics.close()

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
    end_processes(procs)
    return summary


def evaluate_heldout(
    model: Any,
    shards: Any,
    heldout: Any,
    micro: int,
    tables: Any,
    generator: Any,
    amp: Any,
    cfg: TrainConfig,
    procs: Any,
) -> dict[str, float]:
    """Held-out MLM loss/accuracy with fixed masks, split across ranks, token-weighted."""
    import numpy as np
    import torch
    import torch.distributed as dist

    from . import data as D

    sums = torch.zeros(3, dtype=torch.float64, device=procs.device)
    model.eval()
    with torch.no_grad():
        for chunk in range(procs.rank, math.ceil(len(heldout) / micro), procs.world):
            rows = heldout[chunk * micro : (chunk + 1) * micro]
            ids = D.to_device(torch.from_numpy(shards.read(rows).view(np.int16)), procs.device)
            generator.manual_seed(D.mask_seed(cfg.seed, -1, chunk))
            inputs, positions, labels = D.mask_tokens(ids, cfg.masked_per_row, tables, generator)
            with amp:
                loss, correct, count = model(inputs, positions, labels)
            sums += torch.stack([loss.double() * count, correct.double(), count.double()])
    model.train()
    if procs.world > 1:
        dist.all_reduce(sums)
    loss_sum, correct, count = sums.tolist()
    return {"eval_loss": loss_sum / max(count, 1), "eval_acc": correct / max(count, 1)}


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
