"""Freshness probe: the bundled prompts, malformed lines, hand-checkable scoring, the CLI on two real tiny models."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from olm_data.errors import UsageError
from olm_data.trainer.evaluate import add_cli
from olm_data.trainer.probe import ProbePrompt, load_prompts, score_prompts

WORDS = (
    "the covid pandemic is global paris capital of france macron president vaccine arrived world cup was in".split()
)

# 2020: one top-1 hit, one top-5-only hit; 2021: a miss; 2022: two unscorable prompts (multi-token, [UNK]);
# control: scored through its single-token answer while its other answer is multi-token.
PROMPTS = [
    {"id": "e1", "prompt": "The Covid-19 [MASK] is global.", "answers": ["pandemic"], "year": 2020, "category": "event"},
    {"id": "e2", "prompt": "Macron is president of [MASK].", "answers": ["France"], "year": 2020, "category": "event"},
    {"id": "e3", "prompt": "The [MASK] vaccine arrived.", "answers": ["covid"], "year": 2021, "category": "event"},
    {"id": "e4", "prompt": "The world cup was in [MASK].", "answers": ["qatarization"], "year": 2022, "category": "event"},
    {"id": "e5", "prompt": "The world cup was in [MASK].", "answers": ["\u2603"], "year": 2022, "category": "event"},
    {"id": "c1", "prompt": "Paris is the capital of [MASK].", "answers": ["qatarization", "pandemic"], "year": None, "category": "control"},
]  # fmt: skip


def make_tokenizer(path: Path, words: list[str] = WORDS):
    """The project's uncased WordPiece (`train_tokenizer`) trained on `words`, so each is a whole token; reloaded
    through transformers."""
    from transformers import AutoTokenizer

    from olm_data.trainer.tokenizer import train_tokenizer

    corpus = path.parent / f"{path.name}-corpus.txt"
    corpus.write_text("\n".join([" ".join(words)] * 5) + "\n")
    train_tokenizer([str(corpus)], path, vocab_size=400)
    return AutoTokenizer.from_pretrained(path)


def make_masked_lm(path: Path, boost: str, words: list[str] = WORDS) -> Path:
    """A random tiny BertForMaskedLM whose output bias makes `boost` its top prediction everywhere."""
    import torch
    from transformers import BertConfig, BertForMaskedLM

    tok = make_tokenizer(path, words)
    config = BertConfig(
        vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    torch.manual_seed(0)
    model = BertForMaskedLM(config)
    with torch.no_grad():
        model.get_output_embeddings().bias[tok.convert_tokens_to_ids(boost)] += 100.0
    model.save_pretrained(path)
    return path


class FixedLogits:
    """A stand-in masked LM: the same logits at every position, so the ranking is known in advance."""

    def __init__(self, scores):
        self.scores = scores

    def eval(self):
        return self

    def __call__(self, input_ids, **kwargs):
        return SimpleNamespace(logits=self.scores.expand(*input_ids.shape, -1).clone())


def _prompts() -> list[ProbePrompt]:
    return [ProbePrompt(p["id"], p["prompt"], tuple(p["answers"]), p["year"], p["category"]) for p in PROMPTS]


def test_bundled_prompts_are_valid_and_dated() -> None:
    prompts, malformed = load_prompts()
    assert not malformed and len(prompts) >= 60
    assert len({p.id for p in prompts}) == len(prompts)
    covid = [p for p in prompts if p.prompt == "The Covid-19 [MASK] is global."]
    assert covid and covid[0].answers == ("pandemic",) and covid[0].year == 2020
    events = [p for p in prompts if p.category == "event"]
    years = {y: sum(p.year == y for p in events) for y in (2019, 2020, 2021, 2022)}
    assert all(n >= 8 for n in years.values()) and sum(years.values()) == len(events)
    controls = [p for p in prompts if p.category == "control"]
    assert len(controls) >= 15 and all(p.year is None for p in controls)
    assert all(" " not in a.strip() for p in prompts for a in p.answers)  # answers are single words


def test_malformed_prompt_lines_are_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "p.jsonl"
    lines = [
        json.dumps(PROMPTS[0]),
        "{not json",
        json.dumps({"prompt": "two [MASK] [MASK]", "answers": ["x"], "year": 2020}),
        json.dumps({"prompt": "no mask", "answers": ["x"], "year": 2020}),
        json.dumps({"prompt": "a [MASK]", "answers": [], "year": 2020}),
        json.dumps({"prompt": "a [MASK]", "answers": ["x"], "year": 2020, "category": "news"}),
        json.dumps({"prompt": "a [MASK]", "answers": ["x"], "category": "event"}),
        "[1, 2]",
        "",
        json.dumps({"prompt": "Rome is in [MASK].", "answer": "italy", "category": "control", "year": 1990}),
    ]
    path.write_text("\n".join(lines) + "\n")
    prompts, malformed = load_prompts(path)
    assert [p.id for p in prompts] == ["e1", "line10"]
    assert prompts[1].answers == ("italy",) and prompts[1].year is None and prompts[1].group == "control"
    assert malformed == {
        "invalid_json": 1,
        "no_single_mask": 2,
        "bad_answers": 1,
        "bad_category": 1,
        "bad_year": 1,
        "not_an_object": 1,
    }
    assert sum("p.jsonl:2" in r.getMessage() for r in caplog.records) == 1
    (tmp_path / "bad.jsonl").write_text("{\n")
    with pytest.raises(UsageError, match="no usable prompt"):
        load_prompts(tmp_path / "bad.jsonl")
    with pytest.raises(UsageError, match="not found"):
        load_prompts(tmp_path / "missing.jsonl")


def test_scoring_is_hand_checkable_with_fixed_logits(tmp_path: Path) -> None:
    import torch

    tok = make_tokenizer(tmp_path)
    scores = torch.zeros(len(tok))
    ranking = {"[PAD]": 100.0, "[MASK]": 99.0, "pandemic": 10.0, "paris": 9.0, "france": 8.0, "the": 7.0}
    ranking |= {"capital": 6.0, "covid": -5.0}  # specials excluded -> top-5: pandemic paris france the capital
    for token, value in ranking.items():
        scores[tok.convert_tokens_to_ids(token)] = value
    res = score_prompts(FixedLogits(scores), tok, _prompts(), top_k=5, batch_size=4)
    g = res["groups"]
    assert list(g) == ["2020", "2021", "2022", "control", "events", "all"]
    assert g["2020"] == {"n": 2, "top1": 0.5, "topk": 1.0, "skipped": 0}
    assert g["2021"] == {"n": 1, "top1": 0.0, "topk": 0.0, "skipped": 0}
    assert g["2022"] == {"n": 0, "top1": None, "topk": None, "skipped": 2}
    assert g["control"] == {"n": 1, "top1": 1.0, "topk": 1.0, "skipped": 0}
    assert g["events"] == {"n": 3, "top1": pytest.approx(1 / 3), "topk": pytest.approx(2 / 3), "skipped": 2}
    assert g["all"] == {"n": 4, "top1": 0.5, "topk": 0.75, "skipped": 2}
    first = res["prompts"][0]
    assert first["id"] == "e1" and first["predictions"] == ["pandemic", "paris", "france", "the", "capital"]
    assert [r["id"] for r in res["prompts"]] == [p["id"] for p in PROMPTS]
    assert [r.get("skipped") for r in res["prompts"]][3:5] == ["multi_token_answer"] * 2


def test_cli_compares_two_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fresh = make_masked_lm(tmp_path / "fresh", boost="pandemic")
    stale = make_masked_lm(tmp_path / "stale", boost="france", words=[w for w in WORDS if w != "pandemic"])
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("\n".join(json.dumps(p) for p in PROMPTS) + "\n{broken\n")
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    argv = ["eval", "probe", "--model", str(fresh), str(stale), "--prompts", str(prompts)]
    args = parser.parse_args(argv + ["--output", str(tmp_path / "cmp")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert f"{fresh}: 2 prompt(s) skipped (answers not a single token), 1 malformed line(s)" in out
    assert f"{stale}: 4 prompt(s) skipped" in out  # its vocabulary has no "pandemic": e1 and c1 unscorable
    assert f"| group | {fresh} n | top-1 | top-5 | {stale} n | top-1 | top-5 |" in out
    both = json.loads((tmp_path / "cmp" / "probe.json").read_text())["models"]
    assert [m["name"] for m in both] == [str(fresh), str(stale)]
    fresh_g, stale_g = both[0]["groups"], both[1]["groups"]
    assert fresh_g["2020"]["top1"] == 0.5 and fresh_g["control"]["top1"] == 1.0  # "pandemic" everywhere
    assert stale_g["2020"] == {"n": 1, "top1": 1.0, "topk": 1.0, "skipped": 1}  # "france" everywhere
    assert stale_g["control"]["n"] == 0
    # on the prompts both can score (e2, e3) the stale model wins 2020: a fair comparison, unlike the table above
    assert both[0]["groups_common"]["2020"]["n"] == 1 and both[0]["groups_common"]["2020"]["top1"] == 0.0
    assert both[1]["groups_common"]["2020"] == {"n": 1, "top1": 1.0, "topk": 1.0, "skipped": 1}
    assert both[0]["groups_common"]["all"]["n"] == both[1]["groups_common"]["all"]["n"] == 2
    assert "Prompts every model can score" in (tmp_path / "cmp" / "probe.md").read_text()
    assert both[0]["prompts"][0]["predictions"][0] == "pandemic"
    assert both[0]["malformed_lines"] == {"invalid_json": 1}

    args = parser.parse_args(["eval", "probe", "--model", str(fresh)])  # bundled prompts, default output
    assert args.func(args) == 0
    single = json.loads((fresh / "eval" / "probe.json").read_text())
    assert single["prompts_file"].endswith("probe_prompts.jsonl") and single["groups"]["all"]["n"] >= 1
    assert (fresh / "eval" / "probe.md").read_text().startswith("| group |")
    with pytest.raises(UsageError, match="no config.json"):
        args = parser.parse_args(["eval", "probe", "--model", str(tmp_path / "nope")])
        args.func(args)
