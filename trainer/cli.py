"""`olm-data pretrain`: flags generated from TrainConfig's fields, and a signal-safe local launcher for DDP.

`python -m olm_data.trainer.cli pretrain ...` runs the same command without the olm-data CLI around it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import time
import typing
from typing import Any

from olm_data.errors import UsageError
from olm_data.runtime import positive_int

from .checkpoint import resume_config
from .config import PRESETS, TrainConfig

INTERRUPTED_EXIT_CODE = 75  # EX_TEMPFAIL: "stopped by a signal, checkpoint saved, resume me"
SPECIAL_FLAGS = ("compile", "tensorboard")  # booleans with their own flag shapes (--[no-]compile, --no-tensorboard)


def config_flags() -> dict[str, tuple[type, list[str] | None, str]]:
    """Field name -> (argparse type, choices, help) for each TrainConfig field with a plain `--name VALUE` flag."""
    hints = typing.get_type_hints(TrainConfig)
    flags = {}
    for f in dataclasses.fields(TrainConfig):
        if not f.metadata.get("cli", True) or f.name in SPECIAL_FLAGS:
            continue
        hint = hints[f.name]
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        choices = list(PRESETS) if f.name == "model" else None
        if typing.get_origin(hint) is typing.Literal:
            kind, choices = str, list(args)
        else:
            kind = args[0] if args else hint
        text = f.metadata["help"]
        if f.default is not dataclasses.MISSING and f.default is not None:
            text += f" (default {f.default:g})" if isinstance(f.default, float) else f" (default {f.default})"
        flags[f.name] = (kind, choices, text.replace("%", "%%"))
    return flags


def add_cli(subparsers: Any) -> None:
    """Register `olm-data pretrain`."""
    from . import train

    parser = subparsers.add_parser(
        "pretrain",
        help="pretrain a BERT masked LM on tokenized shards (single GPU/CPU, torchrun or srun)",
        description=train.__doc__.split("\n\n")[0]
        + f" Exits {INTERRUPTED_EXIT_CODE} when stopped by SIGTERM/SIGUSR1 after saving a checkpoint.",
    )
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its last checkpoint")
    for name, (kind, choices, text) in config_flags().items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None, choices=choices, help=text)
    help_of = {f.name: f.metadata["help"] for f in dataclasses.fields(TrainConfig)}
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None, help=help_of["compile"])
    parser.add_argument("--no-tensorboard", dest="tensorboard", action="store_false", default=None)
    parser.add_argument(
        "--nproc-per-node",
        type=positive_int,
        default=1,
        metavar="N",
        help=f"run N processes on this machine (DDP; use instead of torchrun, which exits 1, not "
        f"{INTERRUPTED_EXIT_CODE}, when SIGTERM stops the run)",
    )
    parser.set_defaults(func=run_cli)


def run_cli(args: argparse.Namespace) -> int:
    """`olm-data pretrain`: 0 when the run finished and was exported, 75 when a signal stopped it."""
    from .distributed import distributed_env
    from .train import pretrain

    given = {k: getattr(args, k, None) for k in [*config_flags(), *SPECIAL_FLAGS]}
    given = {k: v for k, v in given.items() if v is not None}
    if getattr(args, "nproc_per_node", 1) > 1:
        if distributed_env()[1] > 1:  # torchrun or srun started the ranks already: each would start its own world
            raise UsageError("--nproc-per-node starts the ranks itself: drop it under torchrun or srun")
        return launch_local(args.nproc_per_node, _worker_argv({"resume": args.resume, **given}))
    if args.resume:
        result = pretrain(resume_config(args.resume, **given), resume=True)
    else:
        missing = [f"--{k}" for k in ("data", "tokenizer", "output") if k not in given]
        if missing:
            raise UsageError(f"pretrain needs {' '.join(missing)} (or --resume RUN_DIR)")
        result = pretrain(TrainConfig(**given))
    code = INTERRUPTED_EXIT_CODE if result["interrupted"] else 0
    if distributed_env()[1] > 1:
        exit_rank(code)
    return code


def exit_rank(code: int) -> None:
    """End a DDP rank whose run is over (checkpoints, metrics and export written and closed) without running
    torch's process-group destructors.

    Destroying a process group runs `~ProcessGroupGloo`, which joins its worker thread while holding the GIL; if
    that thread is still releasing the last collective's tensors it waits for the GIL: the rank hangs forever after
    its work is done, and the launcher (or SLURM) with it. Seen on CPU with 2 ranks under load; the stop vote runs
    on a gloo group on GPUs too. `pretrain` therefore never destroys its groups (`end_processes`) and the process
    ends here, before Python's exit would; the OS frees what the destructors would.
    """
    import logging

    logging.shutdown()  # flushes and closes every handler, as at a normal exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


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
    # as torchrun does: ranks that each start one OpenMP thread per core would oversubscribe a CPU machine
    base.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
    command = [sys.executable, "-m", "olm_data.trainer.cli", "pretrain", *argv]
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
    plain = config_flags()
    for name, value in given.items():
        flag = "--" + name.replace("_", "-")
        if name in plain:
            argv += [flag, str(value)]
        elif name == "compile":
            argv.append("--compile" if value else "--no-compile")
        elif name == "tensorboard" and not value:
            argv.append("--no-tensorboard")
    return argv


def main(argv: list[str] | None = None) -> int:
    """`python -m olm_data.trainer.cli pretrain ...`: the same command without the olm-data CLI around it."""
    parser = argparse.ArgumentParser(prog="python -m olm_data.trainer.cli")
    add_cli(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
