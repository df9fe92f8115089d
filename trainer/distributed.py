"""The processes of a run: ranks from torchrun or srun, the device and micro-batches of each, DDP, stop signals."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from olm_data.errors import UsageError


@dataclass
class Processes:
    """This process's place in the run: rank, world size and the device it drives."""

    rank: int
    world: int
    device: Any  # torch.device

    @property
    def master(self) -> bool:
        return self.rank == 0

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"


def start_processes(device_name: str) -> Processes:
    """Pick this rank's device ("auto" = cuda when available) and join the process group when world > 1."""
    import torch
    import torch.distributed as dist

    rank, world, local_rank = distributed_env()
    name = device_name
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        name = f"cuda:{local_rank}"
    device = torch.device(name)
    cuda = device.type == "cuda"
    if cuda and not torch.cuda.is_available():
        raise UsageError(f"--device {device_name}: no CUDA GPU is visible; use --device cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo", rank=rank, world_size=world)
    return Processes(rank, world, device)


def end_processes(procs: Processes) -> None:
    """Wait for every rank. The process group is left in place, never destroyed here.

    Why: destroying a gloo group while this thread holds the GIL (`destroy_process_group`, or dropping the last
    reference, e.g. the DDP model's reducer when `pretrain` returns) runs `~ProcessGroupGloo`, which joins gloo's
    worker thread; if that thread is still freeing the last collective's tensors it needs the GIL: the rank hangs
    forever after its work is done (seen on CPU with 2 ranks, about one run in ten under load). A rank process ends
    with `cli.exit_rank`, which skips the destructors; the OS frees what they would.
    """
    import torch.distributed as dist

    if procs.world > 1:
        dist.barrier()


def distributed_env() -> tuple[int, int, int]:
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


class StopSignals:
    """Turns SIGTERM and SIGUSR1 (SLURM preemption / time limit) into a flag the loop reads between steps."""

    def __init__(self):
        self.received: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
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
