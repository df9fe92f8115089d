"""`olm-data hub export` writes a folder `datasets` loads offline; `hub push` stops at the huggingface_hub API."""

import json
import random
from pathlib import Path

import datasets
import huggingface_hub
import pyarrow.parquet as pq
import pytest
import yaml
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from olm_data.cli import main
from olm_data.hub import export, size_category
from olm_data.manifest import write_manifest

ROOT = Path(__file__).resolve().parent.parent
CC = str(ROOT / "pipelines" / "cc_2022_49.py")
NAME = "olm-CC-MAIN-2022-49-sampling-ratio-olm-0.15114822547"


def write_shard(folder: Path, rank: int, docs: list[Document]) -> None:
    with ParquetWriter(str(folder)) as w:
        for d in docs:
            w.write(d, rank=rank)


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    """A run's output as datatrove writes it: two shards whose metadata differ (the second has perplexity)."""
    out = tmp_path_factory.mktemp("run")
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(5000)]
    lang = ["en", "en", "en", "fr"]
    docs0 = [
        Document(
            text=f"page {i} " + " ".join(rng.choices(vocab, k=30 + i % 50)),
            id=f"<urn:a{i}>",
            metadata={"url": f"https://a{i % 7}.org/{i}", "language": lang[i % 4]},
        )
        for i in range(300)
    ]
    docs1 = [
        Document(
            text=f"other {i} " + " ".join(rng.choices(vocab, k=40)),
            id=f"<urn:b{i}>",
            metadata={"url": f"https://b.org/{i}", "language": "en", "perplexity": 100.0 + i},
        )
        for i in range(200)
    ]
    write_shard(out / "filtered", 0, docs0)
    write_shard(out / "filtered", 1, docs1)
    stats = {
        "filter": [
            {
                "step": "FILTER: fastText language ID",
                "counts": {"total": 520, "forwarded": 500, "dropped_lid_not_in_languages": 20},
                "docs": 500,
                "chars": 1,
                "seconds": 0.1,
            }
        ]
    }
    (out / "stats.json").write_text(json.dumps(stats))
    write_manifest(
        out, {"final_output": "filtered", "command": ["olm-data", "run", "x.py"], "models": {}, "inputs": []}
    )
    return out, [d.text for d in docs0 + docs1]


def yaml_header(readme: Path) -> dict:
    text = readme.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_export_layout_card_and_offline_load(run_output, tmp_path):
    out, texts = run_output
    hub = tmp_path / "hub"
    summary = export(out, NAME, hub, max_shard_bytes=20_000, row_group_bytes=8_000)
    files = sorted(p.name for p in (hub / "data").iterdir())
    n = len(files)
    assert n >= 2 and files == [f"train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    assert summary["rows"] == 500 and summary["languages"] == ["en", "fr"]
    for f in (hub / "data").iterdir():
        meta = pq.ParquetFile(f).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"

    ds = datasets.load_dataset(str(hub), split="train")
    assert ds.num_rows == 500 and ds["text"] == texts  # every document, in the corpus's order
    assert ds.column_names == ["text", "id", "url", "language", "perplexity"]  # metadata flattened
    assert ds[0]["perplexity"] is None and ds[300]["perplexity"] == 100.0  # a field a shard lacked is null

    card = yaml_header(hub / "README.md")
    assert card["license"] == "odc-by" and card["language"] == ["en", "fr"]
    assert card["size_categories"] == ["n<1K"] and card["pretty_name"] == NAME
    assert card["configs"] == [{"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*"}]}]
    info = card["dataset_info"]
    assert [f["name"] for f in info["features"]] == ds.column_names
    assert info["splits"][0]["num_examples"] == 500
    assert huggingface_hub.DatasetCard.load(hub / "README.md").data.license == "odc-by"
    body = (hub / "README.md").read_text()
    assert "| filter | FILTER: fastText language ID | 520 | 500 | lid_not_in_languages=20 |" in body  # the funnel
    assert json.loads((hub / "manifest.json").read_text())["final_output"] == "filtered"
    assert (hub / "stats.json").read_bytes() == (out / "stats.json").read_bytes()


def test_export_is_deterministic_and_replaces_a_previous_export(run_output, tmp_path):
    out, _ = run_output
    a, b = tmp_path / "a", tmp_path / "b"
    export(out, NAME, a, max_shard_bytes=20_000, row_group_bytes=8_000)
    export(out, NAME, b, max_shard_bytes=20_000, row_group_bytes=8_000)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    export(out, NAME, a)  # again, one big shard: the old shards are gone
    assert sorted(p.name for p in (a / "data").iterdir()) == ["train-00000-of-00001.parquet"]


def test_export_refuses_a_folder_that_is_not_an_export(run_output, tmp_path, capsys):
    out, _ = run_output
    (tmp_path / "important.txt").write_text("keep me")
    assert main(["hub", "export", str(out), "--name", NAME, "--to", str(tmp_path)]) == 2
    assert "not empty and not a previous export" in capsys.readouterr().err
    assert main(["hub", "export", str(out / "filtered"), "--name", NAME, "--to", str(tmp_path / "h")]) == 2


def test_size_categories():
    assert [size_category(n) for n in (0, 999, 1000, 250_000, 5 * 10**9)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "100K<n<1M",
        "1B<n<10B",
    ]


def test_the_sample_run_exports_and_loads(cc_sample, tmp_path):
    out, hub = cc_sample[0], tmp_path / "hub"  # the CC pipeline on the sample (conftest: one run per session)
    assert main(["hub", "export", str(out), "--name", NAME, "--to", str(hub)]) == 0
    ds = datasets.load_dataset(str(hub), split="train")
    final = json.loads((out / "manifest.json").read_text())["final_output"]  # the corpus: the last stage's output
    kept = sum(pq.ParquetFile(f).metadata.num_rows for f in (out / final).rglob("*.parquet"))
    assert ds.num_rows == kept > 0
    assert {"text", "id", "url", "date", "snapshot", "language", "language_score"} <= set(ds.column_names)
    assert "file_path" not in ds.column_names  # the build machine's paths stay home
    assert set(ds["language"]) == {"en"} and yaml_header(hub / "README.md")["language"] == ["en"]


@pytest.fixture
def hub_folder(run_output, tmp_path):
    out, _ = run_output
    hub = tmp_path / "hub"
    export(out, NAME, hub)
    (hub / ".cache" / "huggingface").mkdir(parents=True)
    (hub / ".cache" / "huggingface" / "upload.lock").write_text("")  # huggingface_hub's resume state: not uploaded
    return hub


def test_push_dry_run_lists_the_commit_without_network(hub_folder, capsys, monkeypatch):
    monkeypatch.setattr(huggingface_hub, "HfApi", None)  # any API use would fail
    assert main(["hub", "push", str(hub_folder), "--repo-id", "olm/" + NAME, "--private", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"https://huggingface.co/datasets/olm/{NAME} (private)" in out
    for name in ("README.md", "data/train-00000-of-00001.parquet", "manifest.json", "stats.json"):
        assert name in out
    assert ".cache" not in out


def test_push_calls_the_hub_api_and_never_prints_the_token(hub_folder, capsys, monkeypatch):
    secret = "hf_not_a_real_token_1234567890"
    monkeypatch.setenv("HF_TOKEN", secret)
    calls = []
    monkeypatch.setattr(huggingface_hub.HfApi, "create_repo", lambda self, **kw: calls.append(("create_repo", kw)))
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", lambda self, **kw: calls.append(("upload_folder", kw)))
    monkeypatch.setattr(
        huggingface_hub.HfApi,
        "upload_large_folder",
        lambda self, **kw: calls.append(("upload_large_folder", kw)),
        raising=False,
    )
    assert main(["hub", "push", str(hub_folder), "--repo-id", "olm/" + NAME, "--private"]) == 0
    names = [c[0] for c in calls]
    assert names in (["upload_large_folder"], ["create_repo", "upload_folder"])
    for _, kw in calls:
        assert kw["repo_id"] == "olm/" + NAME and kw["repo_type"] == "dataset"
    assert calls[0][1]["private"] is True
    assert calls[-1][1]["folder_path"] == str(hub_folder)
    printed = capsys.readouterr()
    assert secret not in printed.out + printed.err

    def fail(self, **kw):
        raise RuntimeError(f"401 Unauthorized for token {secret}")

    monkeypatch.setattr(huggingface_hub.HfApi, "upload_folder", fail)
    monkeypatch.setattr(huggingface_hub.HfApi, "upload_large_folder", fail, raising=False)
    assert main(["hub", "push", str(hub_folder), "--repo-id", "olm/" + NAME]) == 2
    printed = capsys.readouterr()
    assert "upload to olm/" in printed.err and secret not in printed.out + printed.err


def test_push_without_token_or_export_is_a_usage_error(hub_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    assert main(["hub", "push", str(hub_folder), "--repo-id", "olm/x"]) == 2
    assert "no Hugging Face token" in capsys.readouterr().err
    assert main(["hub", "push", str(tmp_path), "--repo-id", "olm/x", "--dry-run"]) == 2
    assert "is not a Hub export" in capsys.readouterr().err
    assert main(["hub", "push", str(hub_folder), "--repo-id", "not a repo", "--dry-run"]) == 2
