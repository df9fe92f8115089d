"""manifest.json: what went in (hashed), with what (models, packages, command), what came out (per shard);
`olm-data verify` re-hashes and reports drift."""

import gzip
import hashlib
import importlib.metadata
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from olm_data.cli import main
from olm_data.filters import default_lid_model_path
from olm_data.manifest import collect_inputs, sha256_file
from olm_data.readers.warc import CommonCrawlWarcReader
from olm_data.runtime import RunContext
from olm_data.stage import Stage

PIPELINE = textwrap.dedent(
    """
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import ParquetWriter

    from olm_data.filters import FastTextLanguageFilter
    from olm_data.stage import Stage


    def add_arguments(parser):
        parser.add_argument("--tokenizer", required=True)


    def stages(run):
        run.declare_model("tokenizer", run.options["tokenizer"])
        return [
            Stage(
                "lid",
                steps=[
                    JsonlReader(run.input[0]),
                    FastTextLanguageFilter(["en"], 0.5, run.lid_model),
                    ParquetWriter(run.out("kept")),
                ],
            )
        ]
    """
)
ENGLISH = [
    "The committee met on Tuesday to discuss the budget for the new library and agreed to publish the plan.",
    "Heavy rain is expected across the region this weekend, and officials advise drivers to take care.",
    "She learned to play the piano as a child and now teaches music at the local school every afternoon.",
]
FRENCH = ["Le conseil municipal a voté hier soir le budget de la nouvelle bibliothèque après un long débat."]


@pytest.fixture(scope="module")
def run_output(tmp_path_factory):
    root = tmp_path_factory.mktemp("manifest")
    (root / "pipe.py").write_text(PIPELINE)
    inputs = root / "inputs"
    inputs.mkdir()
    for i, text in enumerate(ENGLISH + FRENCH):
        with gzip.open(inputs / f"part-{i}.jsonl.gz", "wt") as f:
            f.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    tok = root / "tokenizer"
    tok.mkdir()
    (tok / "tokenizer.json").write_text('{"model": "tiny"}')
    (tok / "special_tokens_map.json").write_text("{}")
    out = root / "out"
    argv = ["run", str(root / "pipe.py"), "--input", str(inputs), "--output", str(out), "--tasks", "2"]
    argv += ["--workers", "1", "--tokenizer", str(tok)]
    assert main(argv) == 0
    return root, out, argv


def test_manifest_records_command_inputs_models_packages_and_shards(run_output):
    root, out, argv = run_output
    m = json.loads((out / "manifest.json").read_text())
    assert m["command"] == ["olm-data", *argv]
    assert m["config"]["tasks"] == 2 and m["config"]["seed"] == 42 and m["config"]["executor"]["name"] == "local"
    assert m["pipeline"]["sha256"] == sha256_file(root / "pipe.py")

    inputs = {Path(e["path"]).name: e for e in m["inputs"]}
    assert sorted(inputs) == [f"part-{i}.jsonl.gz" for i in range(4)]
    for name, entry in inputs.items():
        data = (root / "inputs" / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)

    models = {Path(e["path"]).name: e for e in m["models"].values()}
    assert models["lid.176.ftz"]["sha256"] == sha256_file(default_lid_model_path())  # the bundled LID model
    assert set(models["tokenizer"]["files"]) == {"tokenizer.json", "special_tokens_map.json"}
    assert m["packages"]["datatrove"] == importlib.metadata.version("datatrove")

    assert m["final_output"] == "kept"
    shards = {k: v for k, v in m["outputs"].items() if k.startswith("kept/")}
    assert shards and sum(v["docs"] for v in shards.values()) == len(ENGLISH)
    for rel, entry in shards.items():
        assert entry["sha256"] == sha256_file(out / rel) and entry["bytes"] == (out / rel).stat().st_size
    assert not any(k.startswith("logs/") for k in m["outputs"])
    assert (out / "report.html").is_file()  # every run ends with its report too


def test_verify_passes_then_reports_every_kind_of_drift(run_output, tmp_path, capsys):
    _, out, _ = run_output
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    assert main(["verify", str(copy)]) == 0
    assert "verify: OK" in capsys.readouterr().out

    shards = sorted((copy / "kept").glob("*.parquet"))
    data = bytearray(shards[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    shards[0].write_bytes(bytes(data))
    shards[1].unlink()
    (copy / "kept" / "stray.parquet").write_bytes(b"x")
    assert main(["verify", str(copy)]) == 1
    report = capsys.readouterr().out
    assert f"changed   kept/{shards[0].name}" in report
    assert f"missing   kept/{shards[1].name}" in report
    assert "unlisted  kept/stray.parquet" in report


def test_verify_sees_a_changed_model_and_input(run_output, tmp_path, capsys):
    root, out, _ = run_output
    manifest = json.loads((out / "manifest.json").read_text())
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    tok = tmp_path / "tokenizer"
    shutil.copytree(root / "tokenizer", tok)
    inp = tmp_path / "part-0.jsonl.gz"
    shutil.copyfile(root / "inputs" / "part-0.jsonl.gz", inp)
    for entry in manifest["models"].values():
        if entry["path"].endswith("tokenizer"):
            entry["path"] = str(tok)
    manifest["inputs"] = [{**manifest["inputs"][0], "path": str(inp)}]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert main(["verify", str(copy)]) == 0
    (tok / "tokenizer.json").write_text('{"model": "other"}')
    inp.write_bytes(gzip.compress(b'{"id": "x", "text": "changed"}\n'))
    assert main(["verify", str(copy)]) == 1
    report = capsys.readouterr().out
    assert "changed   model tokenizer" in report and f"changed   input {inp}" in report
    assert main(["verify", str(copy), "--outputs-only"]) == 0


def test_verify_without_manifest_is_a_usage_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_snapshot_input_records_the_sampled_warc_list_and_seed(tmp_path):
    """A snapshot is recorded by name, sample ratio and seed, plus the exact WARC files its sample drew."""
    base = tmp_path / "cc"
    paths = base / "crawl-data" / "CC-MAIN-2022-49" / "warc.paths.gz"
    paths.parent.mkdir(parents=True)
    names = [f"crawl-data/CC-MAIN-2022-49/segments/1/warc/CC-MAIN-{i:05d}.warc.gz" for i in range(200)]
    paths.write_bytes(gzip.compress(("\n".join(names) + "\n").encode()))
    reader = CommonCrawlWarcReader("CC-MAIN-2022-49", sample_ratio=0.15114822547, seed=42, base_url=str(base))
    run = RunContext(pipeline=Path("p.py"), output=tmp_path / "out")
    [entry] = collect_inputs([Stage("filter", steps=[reader])], run)
    assert entry["snapshot"] == "CC-MAIN-2022-49" and entry["seed"] == 42 and entry["sample_ratio"] == 0.15114822547
    assert entry["files"] == [p for p, _ in reader.list_files()]
    assert 10 < len(entry["files"]) < 60  # ~15% of 200
