"""One run per output folder: `OUT/.olm-data.lock` names the run that writes there (pid, host, start time).

Two runs writing one output at once would remove each other's half-written files (resume cleans the files of
unfinished tasks) and mix their stats. A second run is refused with one line. A lock whose process is gone
(a run killed with `kill -9`, a node that rebooted before it) is taken over, so rerunning the command resumes.
The owner's liveness can only be checked on its own host: a lock from another host is refused with the path
of the lock file to remove once that run is known to be gone.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import sys
import time
from pathlib import Path

from olm_data.errors import UsageError

LOCK_NAME = ".olm-data.lock"
_held: list[Path] = []  # locks this process took, released when its run ends (or at exit)


def check_output_folder(output: Path) -> None:
    """One-line errors for an output that is a file or cannot be written to, before any stage runs."""
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output} is a file, not a folder")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--output {output}: cannot create the folder ({e.strerror or e})") from None
    if not os.access(output, os.W_OK | os.X_OK):
        raise UsageError(f"--output {output} is not writable")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def lock_output(output: Path) -> Path:
    """Take the output's lock (checking the folder first) and release it when this process exits.

    Returns:
        The lock file.
    """
    check_output_folder(output)
    lock = output / LOCK_NAME
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            try:
                held = json.loads(lock.read_text())
                pid, host = int(held["pid"]), str(held["host"])
            except (OSError, ValueError, KeyError, TypeError):
                held, pid, host = {}, -1, owner["host"]  # unreadable: a crash while writing it; stale
            if host != owner["host"]:
                raise UsageError(
                    f"--output {output} is in use by a run on host {host} (pid {pid}, since {held.get('started')}); "
                    f"if that run is gone, remove {lock}"
                ) from None
            if pid != os.getpid() and pid > 0 and _alive(pid):
                raise UsageError(
                    f"--output {output} is in use by another run (pid {pid} on {host}, since {held.get('started')}); "
                    "wait for it to finish or choose another --output"
                ) from None
            if pid != os.getpid():
                print(f"olm-data: taking over the lock of an ended run (pid {pid}) in {output}", file=sys.stderr)
            lock.unlink(missing_ok=True)
            continue
        except OSError as e:
            raise UsageError(f"--output {output} is not writable ({e.strerror or e})") from None
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps(owner) + "\n")
        if not _held:
            atexit.register(release_locks)
        _held.append(lock)
        return lock
    raise UsageError(f"--output {output}: another run took the lock at the same moment; try again")


def release_locks() -> None:
    """Remove the locks this process took (those it still owns)."""
    while _held:
        lock = _held.pop()
        try:
            if json.loads(lock.read_text()).get("pid") == os.getpid():
                lock.unlink()
        except (OSError, ValueError):
            pass
