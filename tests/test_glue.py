"""GLUE evaluation: card metric keys hand-checked, TSV reading (malformed rows, BOM, quotes), the grid, the CLI."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from olm_data.errors import UsageError
from olm_data.trainer import glue
from olm_data.trainer.evaluate import add_cli
from olm_data.trainer.glue import (
    CARD_KEYS,
    TASKS,
    GlueConfig,
    bucketed_batches,
    read_split,
    resolve_tasks,
    run_glue,
    task_metrics,
    update_model_card,
)

REAL_GLUE = Path("/work/shared/data/glue")
FILLER = "the a movie film story plot actors was is very quite really and but with this that".split()
POSITIVE, NEGATIVE = ["good", "great", "fun"], ["bad", "awful", "dull"]
STSB_HEADER = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore"


def make_tiny_model(path: Path, max_positions: int = 64) -> Path:
    """A random BertForMaskedLM (H=32, L=2) and a WordPiece tokenizer trained here, saved as an HF folder."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertForMaskedLM, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    corpus = [" ".join(FILLER + POSITIVE + NEGATIVE)] * 5
    tok.train_from_iterator(corpus, trainers.WordPieceTrainer(vocab_size=120, special_tokens=specials))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
    )
    PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=max_positions,
    ).save_pretrained(path)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=max_positions,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    BertForMaskedLM(config).save_pretrained(path)
    (path / "README.md").write_text("# tiny test model\n\nTrained on nothing.\n")
    return path


def _sentence(rng: random.Random, positive: bool) -> str:
    words = [rng.choice(FILLER) for _ in range(rng.randint(3, 10))]
    words.insert(rng.randint(0, len(words)), rng.choice(POSITIVE if positive else NEGATIVE))
    return " ".join(words)


def write_learnable_glue(root: Path, seed: int = 0) -> Path:
    """SST-2 and STS-B folders whose label is whether sentence(1) holds a positive word: a tiny model learns it."""
    rng = random.Random(seed)
    for split, n in (("train", 96), ("dev", 40)):
        sst = root / "SST-2"
        sst.mkdir(parents=True, exist_ok=True)
        rows = ["sentence\tlabel"] + [f"{_sentence(rng, bool(i % 2))}\t{i % 2}" for i in range(n)]
        (sst / f"{split}.tsv").write_text("\n".join(rows) + "\n")
        sts = root / "STS-B"
        sts.mkdir(parents=True, exist_ok=True)
        rows = [STSB_HEADER]
        for i in range(n):
            pos = bool(i % 2)
            a, b = _sentence(rng, pos), _sentence(rng, not pos)
            rows.append(f"{i}\tmain\tMSRvid\t2012test\t{i:04d}\tnone\tnone\t{a}\t{b}\t{5.0 * pos:.3f}")
        (sts / f"{split}.tsv").write_text("\n".join(rows) + "\n")
    return root


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny models run fastest on one thread; on a shared, loaded machine two threads can be 20x slower."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_model(tmp_path_factory.mktemp("model"))


# ------------------------------------------------------------------------------------------------ metrics


def test_every_card_key_hand_checked() -> None:
    y, p = np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0])  # TP=1 FN=1 TN=2 FP=0
    mcc = (1 * 2 - 0 * 1) / math.sqrt((1 + 0) * (1 + 1) * (2 + 0) * (2 + 1))  # = 1/sqrt(3)
    got = {}
    got.update(task_metrics(TASKS["cola"], p, y))
    for name in ("sst2", "qqp", "qnli", "rte", "wnli"):
        got.update(task_metrics(TASKS[name], p, y))
    got.update(task_metrics(TASKS["mrpc"], p, y))
    # MNLI: 3 classes; matched 2/3 right, mismatched 1/3 right
    got.update(task_metrics(TASKS["mnli"], np.array([0, 1, 2]), np.array([0, 1, 1])))
    got.update(task_metrics(TASKS["mnli"], np.array([0, 0, 0]), np.array([0, 1, 2]), suffix="_mm"))
    # STS-B: x = (1,2,3), y = (1,4,9): r = 8 / (sqrt(2) * sqrt(294)/3) = 24/sqrt(588); ranks agree -> rho = 1
    got.update(task_metrics(TASKS["stsb"], np.array([1.0, 2.0, 3.0]), np.array([1.0, 4.0, 9.0])))

    assert set(got) == set(CARD_KEYS)
    assert CARD_KEYS == ["cola_mcc", "sst2_acc", "mrpc_acc", "mrpc_f1", "stsb_pear", "stsb_spear", "qqp_acc"] + [
        "mnli_acc",
        "mnli_acc_mm",
        "qnli_acc",
        "rte_acc",
        "wnli_acc",
    ]  # the seed card's order
    assert got["cola_mcc"] == pytest.approx(mcc) == pytest.approx(0.5773503)
    for key in ("sst2_acc", "qqp_acc", "qnli_acc", "rte_acc", "wnli_acc", "mrpc_acc"):
        assert got[key] == pytest.approx(0.75)
    assert got["mrpc_f1"] == pytest.approx(2 / 3)  # 2TP / (2TP + FP + FN) = 2/3
    assert got["mnli_acc"] == pytest.approx(2 / 3)
    assert got["mnli_acc_mm"] == pytest.approx(1 / 3)
    assert got["stsb_pear"] == pytest.approx(24 / math.sqrt(588))
    assert got["stsb_spear"] == pytest.approx(1.0)
    assert got["stsb_spear"] != pytest.approx(got["stsb_pear"])


def test_degenerate_predictions_follow_sklearn_conventions() -> None:
    y = np.array([1, 0, 1, 0])
    const = np.zeros(4, dtype=np.int64)
    assert task_metrics(TASKS["cola"], const, y) == {"cola_mcc": 0.0}
    assert task_metrics(TASKS["mrpc"], const, y)["mrpc_f1"] == 0.0
    sts = task_metrics(TASKS["stsb"], np.full(4, 2.5), np.array([0.0, 1.0, 2.0, 3.0]))
    assert math.isnan(sts["stsb_pear"]) and math.isnan(sts["stsb_spear"])
    assert glue._json_safe(sts) == {"stsb_pear": None, "stsb_spear": None}


# ------------------------------------------------------------------------------------------------ reading


def test_malformed_rows_are_skipped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "train.tsv"
    path.write_text(
        "sentence\tlabel\n"
        "a fine film \t1\n"
        "too\tmany\tcolumns\n"
        "\n"  # blank lines are not rows
        "label out of range\t2\n"
        "  \t0\n"
        "it 's \"great\t0\n"  # a lone quote is text, not CSV quoting
    )
    split = read_split(TASKS["sst2"], path)
    assert split.texts_a == ["a fine film ", "it 's \"great"]
    assert split.labels.tolist() == [1, 0]
    assert split.skipped == {"wrong_column_count": 1, "bad_label": 1, "empty_text": 1}
    assert sum("train.tsv:3" in r.getMessage() for r in caplog.records) == 1  # logged once, with its line
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) == 1


def test_mrpc_bom_header_pairs_and_stsb_scores(tmp_path: Path) -> None:
    mrpc = tmp_path / "dev.tsv"
    mrpc.write_text(
        '\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\tHe said "no.\tHe refused.\n0\t3\t4\tA b.\tC d.\n',
        encoding="utf-8",
    )
    split = read_split(TASKS["mrpc"], mrpc)
    assert split.texts_a == ['He said "no.', "A b."] and split.texts_b == ["He refused.", "C d."]
    assert split.labels.tolist() == [1, 0]
    sts = tmp_path / "sts.tsv"
    row = "0\tmain\tMSRvid\t2012test\t0000\tnone\tnone\tA man.\tA guy.\t"
    sts.write_text(f"{STSB_HEADER}\n{row}4.750\n{row}n/a\n{row}nan\n")
    split = read_split(TASKS["stsb"], sts)
    assert split.labels.dtype == np.float32 and split.labels.tolist() == [4.75]
    assert split.skipped == {"bad_label": 2}


def test_missing_task_folder_and_unknown_task_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "SST-2").mkdir()
    (tmp_path / "CoLA").mkdir()
    with pytest.raises(UsageError, match=r"mnli: folder .*MNLI not found \(present in .*: CoLA, SST-2\)"):
        resolve_tasks("sst2,mnli", tmp_path)
    with pytest.raises(UsageError, match="unknown GLUE task 'squad'"):
        resolve_tasks(["squad"], tmp_path)
    with pytest.raises(UsageError, match="not a folder"):
        resolve_tasks(None, tmp_path / "nope")
    assert [t.name for t in resolve_tasks(None, tmp_path)] == ["cola", "sst2"]  # default: tasks present
    assert [t.name for t in resolve_tasks("SST-2, cola,sst2", tmp_path)] == ["cola", "sst2"]  # aliases, card order
    with pytest.raises(UsageError, match="file .*train.tsv not found"):
        read_split(TASKS["sst2"], tmp_path / "SST-2" / "train.tsv")
    with pytest.raises(UsageError, match="no config.json"):
        run_glue(GlueConfig(model=str(tmp_path), data_dir=str(tmp_path)))


@pytest.mark.skipif(not REAL_GLUE.is_dir(), reason="shared GLUE data not present")
def test_real_glue_files_read_cleanly() -> None:
    dev_rows = {"cola": 1043, "sst2": 872, "mrpc": 408, "rte": 277, "stsb": 1500}
    for name, n in dev_rows.items():
        task = TASKS[name]
        dev = read_split(task, REAL_GLUE / task.folder / "dev.tsv")
        assert len(dev) == n and not dev.skipped, name
        assert (dev.texts_b is None) == (task.text_b is None)
    assert read_split(TASKS["rte"], REAL_GLUE / "RTE" / "dev.tsv").labels.max() == 1


# ------------------------------------------------------------------------------------------------ batching


def test_bucketed_batches_cover_every_row_once_and_pad_less() -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 128, size=1000)
    batches = bucketed_batches(lengths, 32, np.random.default_rng(1))
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000))
    assert max(len(b) for b in batches) == 32
    padded = sum(len(b) * lengths[b].max() for b in batches)
    perm = np.random.default_rng(1).permutation(1000)
    random_padded = sum(32 * lengths[perm[i : i + 32]].max() for i in range(0, 1000, 32))
    assert padded < 0.75 * random_padded
    again = bucketed_batches(lengths, 32, np.random.default_rng(1))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))  # seeded order


# ------------------------------------------------------------------------------------------------ fine-tuning


@pytest.mark.slow
def test_grid_picks_the_lr_that_learns_and_is_deterministic(tiny_model: Path, tmp_path: Path) -> None:
    data = write_learnable_glue(tmp_path / "glue")
    cfg = GlueConfig(
        model=str(tiny_model),
        data_dir=str(data),
        learning_rates=(1e-9, 3e-3),  # 1e-9 cannot move the weights: the grid must pick 3e-3
        batch_sizes=(8,),
        epochs=10,
        seeds=2,
        output=str(tmp_path / "out"),
        update_card=False,
    )
    first = run_glue(cfg)
    assert list(first["results"]) == ["sst2_acc", "stsb_pear", "stsb_spear"]
    for name in ("sst2", "stsb"):
        assert first["tasks"][name]["best"] == {"batch_size": 8, "lr": 3e-3}
        assert len(first["tasks"][name]["runs"]) == 4  # 2 lr x 2 seeds
    assert first["results"]["sst2_acc"] >= 0.9
    assert first["results"]["stsb_pear"] >= 0.8  # the regression head learned the scores
    stuck = [r for r in first["tasks"]["sst2"]["runs"] if r["lr"] == 1e-9]
    assert all(r["metrics"]["sst2_acc"] <= 0.6 for r in stuck)
    chosen = [r["metrics"]["sst2_acc"] for r in first["tasks"]["sst2"]["runs"] if r["lr"] == 3e-3]
    assert first["std"]["sst2_acc"] == pytest.approx(float(np.std(chosen, ddof=1)))  # sample std over seeds
    # same seeds -> same numbers (CPU): STS-B again at the chosen rate only
    second = run_glue(dataclasses.replace(cfg, tasks=["stsb"], learning_rates=(3e-3,)))
    assert second["results"] == {k: v for k, v in first["results"].items() if k.startswith("stsb")}
    losses = [[r["train_loss"] for r in s["tasks"]["stsb"]["runs"] if r["lr"] == 3e-3] for s in (first, second)]
    assert len(losses[0]) == 2 and losses[0] == losses[1]


def test_stsb_is_regression_with_one_output(tiny_model: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    data = write_learnable_glue(tmp_path / "glue")
    tm = glue._TaskModel(tiny_model, 1, glue.pick_device("cpu"), compile=False)
    assert tm.model.config.num_labels == 1
    assert {"classifier.weight", "classifier.bias"} <= set(tm.new_keys)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    dev = glue.encode(tok, read_split(TASKS["stsb"], data / "STS-B" / "dev.tsv"), 64)
    assert dev.token_type_ids[0].count(1) > 0  # the pair's second sentence has type 1
    preds = glue._predict(tm, dev, 16, 0, glue.pick_device("cpu"), regression=True)
    assert preds.dtype == np.float32 and len(np.unique(preds)) > 2  # real-valued scores, not class ids
    tm.reset(1)
    head_a = tm.model.classifier.weight.detach().clone()
    tm.reset(1)
    assert tm.model.classifier.weight.equal(head_a)  # seeded head re-init
    tm.reset(2)
    assert not tm.model.classifier.weight.equal(head_a)


def write_all_nine_tasks(root: Path, rows: int = 8) -> Path:
    """Every GLUE task in its real layout (headers, column positions, label spellings, MNLI's two dev files)."""
    rng = random.Random(2)

    def s() -> str:
        return _sentence(rng, rng.random() < 0.5)

    mnli_head = "index\tpromptID\tpairID\tgenre\ts1b\ts2b\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label"
    layouts = {  # folder: (header or None, row builder, dev files)
        "CoLA": (None, lambda i: f"gj04\t{i % 2}\t\t{s()}", ["dev.tsv"]),
        "SST-2": ("sentence\tlabel", lambda i: f"{s()}\t{i % 2}", ["dev.tsv"]),
        "MRPC": (
            "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String",
            lambda i: f"{i % 2}\t1\t2\t{s()}\t{s()}",
            ["dev.tsv"],
        ),
        "STS-B": (STSB_HEADER, lambda i: f"{i}\tm\tf\ty\t{i}\tn\tn\t{s()}\t{s()}\t{i % 6}.0", ["dev.tsv"]),
        "QQP": (
            "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
            lambda i: f"{i}\t1\t2\t{s()}\t{s()}\t{i % 2}",
            ["dev.tsv"],
        ),
        "MNLI": (
            mnli_head,
            lambda i: (
                f"{i}\t1\t1a\tfiction\t(a)\t(b)\t(A)\t(B)\t{s()}\t{s()}\tneutral\t"
                + ["contradiction", "entailment", "neutral"][i % 3]
            ),
            ["dev_matched.tsv", "dev_mismatched.tsv"],
        ),
        "QNLI": (
            "index\tquestion\tsentence\tlabel",
            lambda i: f"{i}\t{s()}\t{s()}\t{['entailment', 'not_entailment'][i % 2]}",
            ["dev.tsv"],
        ),
        "RTE": (
            "index\tsentence1\tsentence2\tlabel",
            lambda i: f"{i}\t{s()}\t{s()}\t{['entailment', 'not_entailment'][i % 2]}",
            ["dev.tsv"],
        ),
        "WNLI": ("index\tsentence1\tsentence2\tlabel", lambda i: f"{i}\t{s()}\t{s()}\t{i % 2}", ["dev.tsv"]),
    }
    for folder, (header, make_row, devs) in layouts.items():
        (root / folder).mkdir(parents=True)
        for name in ["train.tsv", *devs]:
            lines = ([header] if header else []) + [make_row(i) for i in range(rows)]
            (root / folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_all_nine_tasks_give_the_card_dict_in_order(tiny_model: Path, tmp_path: Path) -> None:
    data = write_all_nine_tasks(tmp_path / "glue")
    cfg = GlueConfig(
        model=str(tiny_model),
        data_dir=str(data),
        learning_rates=(1e-3,),
        batch_sizes=(4,),
        epochs=1,
        update_card=False,
    )
    summary = run_glue(cfg)
    assert list(summary["results"]) == CARD_KEYS
    assert all(not t["skipped_rows"] for t in summary["tasks"].values())
    assert summary["tasks"]["mnli"]["dev_examples"] == {"dev_matched.tsv": 8, "dev_mismatched.tsv": 8}
    for key in CARD_KEYS:
        if key.endswith(("_acc", "_acc_mm")):
            assert 0.0 <= summary["results"][key] <= 1.0
    assert list(json.loads((tiny_model / "eval" / "glue.json").read_text())["results"]) == CARD_KEYS


# ------------------------------------------------------------------------------------------------ card, CLI


def test_update_model_card_replaces_only_the_evaluation_section(tmp_path: Path) -> None:
    card = tmp_path / "README.md"
    card.write_text("# Model\n\nintro\n\n## Evaluation\n\nold table\n\n### GLUE\n\nold\n\n## Training\n\nkeep me\n")
    update_model_card(tmp_path, "### GLUE (dev)\n\nnew table\n")
    text = card.read_text()
    assert "old" not in text and "new table" in text
    assert text.index("## Evaluation") < text.index("new table") < text.index("## Training\n\nkeep me")
    assert text.count("## Evaluation") == 1
    update_model_card(tmp_path, "### GLUE (dev)\n\nnewer\n")
    assert card.read_text().count("## Evaluation") == 1 and "newer" in card.read_text()
    (tmp_path / "README.md").write_text("# Model\n")
    update_model_card(tmp_path, "x")
    assert card.read_text() == "# Model\n\n## Evaluation\n\nx\n"


def test_cli_glue_prints_card_dict_and_writes_json_md_card(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_learnable_glue(tmp_path / "glue")
    rng = random.Random(1)
    (data / "MRPC").mkdir()
    for split in ("train", "dev"):
        rows = ["\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
        rows += [f"{i % 2}\t{i}\t{i + 1}\t{_sentence(rng, True)}\t{_sentence(rng, False)}" for i in range(24)]
        rows += ["1\tbroken row"]
        (data / "MRPC" / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = tmp_path / "model"
    make_tiny_model(model)
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    args = parser.parse_args(
        ["eval", "glue", "--model", str(model), "--data-dir", str(data), "--tasks", "mrpc,stsb"]
        + ["--lr", "1e-3", "--batch-size", "8", "--epochs", "1", "--max-train-examples", "16"]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    summary = json.loads((model / "eval" / "glue.json").read_text())
    assert out.startswith("{'mrpc_acc': ")
    assert list(summary["results"]) == ["mrpc_acc", "mrpc_f1", "stsb_pear", "stsb_spear"]
    assert summary["tasks"]["mrpc"]["skipped_rows"] == {
        "train.tsv": {"wrong_column_count": 1},
        "dev.tsv": {"wrong_column_count": 1},
    }
    assert summary["tasks"]["mrpc"]["train_examples"] == 16
    assert summary["reference"]["Google BERT-Tiny"]["mrpc_f1"] == pytest.approx(0.8122270742358079)
    md = (model / "eval" / "glue.md").read_text()
    assert "| mrpc_f1 |" in md and "| stsb_spear |" in md and "cola_mcc" not in md
    card = (model / "README.md").read_text()
    assert card.startswith("# tiny test model") and "## Evaluation\n\n### GLUE (dev)" in card
    with pytest.raises(UsageError, match="MNLI not found"):
        args = parser.parse_args(["eval", "glue", "--model", str(model), "--data-dir", str(data), "--tasks", "mnli"])
        args.func(args)


def test_compiled_fine_tuning_traces_once_for_every_padded_width(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """compile=True uses dynamic shapes: batches padded to different widths share one graph per mode."""
    import torch
    from torch._dynamo.testing import CompileCounter
    from transformers import AutoTokenizer

    torch._dynamo.reset()
    counter = CompileCounter()
    monkeypatch.setattr(glue, "COMPILE_BACKEND", counter)
    data = write_learnable_glue(tmp_path / "glue")
    cfg = GlueConfig(
        model=str(tiny_model), data_dir=str(data), tasks=["sst2"], learning_rates=(3e-3,), batch_sizes=(8,),
        epochs=1, compile=True, output=str(tmp_path / "out"), update_card=False,
    )  # fmt: skip
    result = run_glue(cfg)
    widths = {len(ids) for ids in glue.encode(AutoTokenizer.from_pretrained(tiny_model), _sst2(data), 64).input_ids}
    assert len(widths) > 3  # rows of many lengths, so batches are padded to many widths
    assert counter.frame_count <= 4  # train + eval graphs (plus at most a batch-of-one specialisation each)
    assert result["results"]["sst2_acc"] > 0
    torch._dynamo.reset()


def _sst2(data: Path):
    task = next(t for t in glue.resolve_tasks(["sst2"], data))
    return glue.read_split(task, data / task.folder / "train.tsv")


def test_collate_pins_memory_only_when_asked() -> None:
    import torch

    enc = glue.Encoded([[2, 7, 3], [2, 3]], [[0, 0, 0], [0, 0]], np.array([1, 0]))
    batch = glue.collate(enc, np.array([0, 1]), pad_id=0)
    assert not batch["input_ids"].is_pinned()
    if torch.cuda.is_available():
        assert all(v.is_pinned() for v in glue.collate(enc, np.array([0, 1]), pad_id=0, pin=True).values())
