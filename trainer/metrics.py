"""What a pretraining run reports: FLOPs and MFU, the console progress line, JSONL and TensorBoard metrics."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

# dense bf16 peak per device (vendor datasheets); the first name contained in the device name wins
PEAK_BF16_TFLOPS = (("H100 PCIe", 756.0), ("H100", 989.4), ("H200", 989.4), ("B200", 2250.0), ("A100", 312.0))


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


def progress_line(row: dict[str, Any], total: int) -> str:
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


class MetricsLog:
    """`run_dir/metrics.jsonl` (one JSON row per log/eval step) and, when installed, TensorBoard; rank 0 only.

    On resume the rows logged after the checkpoint at `start_step` are dropped, so the file reads as one run.
    On other ranks (`enabled=False`) every call does nothing.
    """

    def __init__(self, run_dir: Path, enabled: bool, start_step: int, tensorboard: bool):
        self.file = None
        self.tensorboard = None
        if not enabled:
            return
        path = run_dir / "metrics.jsonl"
        if path.exists():  # drop rows logged after the checkpoint we resume from
            rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            keep = [r for r in rows if r.get("step", 0) <= start_step] if start_step else []
            path.write_text("".join(json.dumps(r) + "\n" for r in keep))
        if tensorboard:
            with contextlib.suppress(ImportError):
                from torch.utils.tensorboard import SummaryWriter

                self.tensorboard = SummaryWriter(str(run_dir / "tensorboard"), purge_step=start_step)
        self.file = open(path, "a")  # noqa: SIM115 - closed in close()

    def write(self, row: dict[str, Any]) -> None:
        if self.file is not None:
            self.file.write(json.dumps(row) + "\n")
            self.file.flush()
        if self.tensorboard is not None:
            for key, value in row.items():
                if key not in ("kind", "step") and isinstance(value, int | float):
                    self.tensorboard.add_scalar(f"{row['kind']}/{key}", value, row["step"])

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.tensorboard is not None:
            self.tensorboard.close()
