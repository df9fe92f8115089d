"""Tests never touch the network or a model hub: non-loopback connections fail loudly, hub clients are offline."""

import contextlib
import io
import ipaddress
import os
import socket
from pathlib import Path

import pytest
from cli_helpers import CC

for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[var] = "1"
for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(var, None)

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX paths: multiprocessing, not the network
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkAccessError(RuntimeError):
    pass


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkAccessError(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


# pytest-xdist (`--dist loadscope --no-loadscope-reorder`, pyproject.toml) hands out whole test files in collection
# order, so a long file collected last would run alone at the end. The longest start first and the short ones fill
# in around them; the Slurm file first of all, as it mostly waits on the cluster while the other workers use the
# cores. For the same reason there is one worker more than cores (`-n auto`).
LONG_FILES_FIRST = ("test_slurm.py", "test_train.py", "test_remote_run.py", "test_cli.py", "test_glue.py")


def pytest_collection_modifyitems(config, items) -> None:
    rank = {name: i for i, name in enumerate(LONG_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: file order kept within a rank


def pytest_xdist_auto_num_workers(config) -> int:
    return (os.cpu_count() or 1) + 1


def _session_folder(tmp_path_factory) -> Path:
    """The session's temporary folder that every pytest-xdist worker sees (each worker's own is one level down)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


@pytest.fixture(scope="session", autouse=True)
def array_cache(tmp_path_factory) -> Path:
    """olm-data's array cache (the URL blocklist's hashes, text tables) in the session's temporary folder: every
    run of the session, in this process or a subprocess, shares it, and nothing is written to ~/.cache."""
    folder = _session_folder(tmp_path_factory) / "array_cache"
    os.environ["OLM_DATA_CACHE"] = str(folder)
    return folder


@pytest.fixture
def s3_endpoint(tmp_path, monkeypatch):
    """A loopback server as an S3 endpoint (path-style: /<bucket>/<key>) holding the sample's WARCs as snapshot
    CC-MAIN-2099-01 in bucket `commoncrawl`, with dummy credentials in the environment (subprocesses see them too).
    Yields (server, the WARC keys)."""
    from cc_server import CCServer, crawl_layout

    from olm_data import samples

    pytest.importorskip("s3fs")
    root = tmp_path / "s3"
    rels = crawl_layout(root / "commoncrawl", "CC-MAIN-2099-01", samples.warc_files())
    with CCServer(root) as server:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": server.url.rstrip("/"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(key, value)
        yield server, ["commoncrawl/" + r for r in rels]


@pytest.fixture
def network_blocked() -> type[NetworkAccessError]:
    """Tests that assert 'no download happened' can catch this error type."""
    return NetworkAccessError


@pytest.fixture(scope="session")
def cc_sample(tmp_path_factory) -> tuple[Path, str]:
    """`olm-data run pipelines/cc_2022_49.py --sample --tasks 3 --quiet`, once per test session, and what it printed
    on stdout. Its Wikipedia part builds the sample's reference LM (`<output>/wikipedia/lm`), which other runs reuse
    with `--lm`. Shared by several test files (a run costs ~10 s): tests only read it, never write into it.
    Under pytest-xdist the first worker that needs it builds it in the session's shared temp folder (under a file
    lock) and the others read that one.

    Three tasks: the sample's damaged WARC is then read by the last one, whose warnings go only to its log file.
    """
    import shutil

    from filelock import FileLock

    from olm_data.cli import main

    root = _session_folder(tmp_path_factory)
    out, printed = root / "cc_sample" / "cc", root / "cc_sample" / "stdout.txt"
    with FileLock(str(root / "cc_sample.lock"), timeout=900):
        if not printed.exists():
            shutil.rmtree(out, ignore_errors=True)  # what a worker whose build failed left: start clean
            console = io.StringIO()
            with contextlib.redirect_stdout(console):
                assert main(["run", CC, "--sample", "--output", str(out), "--tasks", "3", "--quiet"]) == 0
            printed.write_text(console.getvalue(), encoding="utf-8")
    return out, printed.read_text(encoding="utf-8")
