"""README command 1's pipeline, end to end on the bundled sample: corpora -> vocab -> tokenized-512 -> tiny BERT."""

import json
from pathlib import Path

import pytest

from olm_data.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_olm_december_2022_sample_builds_everything(tmp_path, capsys):
    pipeline = str(ROOT / "pipelines" / "olm_december_2022.py")
    # 2 optimizer steps of 32 x 128 tokens: enough to exercise pretraining, export and the demo
    assert main(["run", pipeline, "--sample", "--output", str(tmp_path), "--pretrain-tokens", "8192"]) == 0
    out = capsys.readouterr().out
    assert "fill-mask demo" in out and "The Covid-19 [MASK] is global." in out

    # both corpora were built by the included pipelines, under OUT/cc and OUT/wikipedia
    assert list((tmp_path / "cc" / "deduped").glob("*.parquet"))
    assert list((tmp_path / "wikipedia" / "deduped").glob("*.parquet"))
    index = json.loads((tmp_path / "tokenized-512" / "memmap" / "index.json").read_text())
    assert index["seq_len"] == 512 and index["rows"] > 10
    assert index["special_tokens"] == {"pad": 0, "unk": 1, "cls": 2, "sep": 3, "mask": 4}

    from transformers import AutoModelForMaskedLM, AutoTokenizer

    model = AutoModelForMaskedLM.from_pretrained(tmp_path / "tiny-bert")
    tok = AutoTokenizer.from_pretrained(tmp_path / "tiny-bert")
    assert model.config.num_hidden_layers == 2 and model.config.hidden_size == 128
    assert tok.pad_token_id == model.config.pad_token_id == 0
    assert tok("COVID")["input_ids"] == tok("covid")["input_ids"]  # uncased

    stats = json.loads((tmp_path / "stats.json").read_text())
    assert {"cc_filter", "cc_minhash_filter", "wikipedia_articles"} <= set(stats)


def test_olm_original_flow_on_the_sample(cc_sample, tmp_path):
    """OLM's own flow: edits, BigScience filters, perplexity cut, prefix/suffix dedup, substring dedup."""
    import pyarrow.parquet as pq

    from olm_data import samples

    pipeline = str(ROOT / "pipelines" / "olm_original_2022_49.py")
    lm = str(cc_sample[0] / "wikipedia" / "lm")  # the sample's reference LM, built once (conftest)
    assert main(["run", pipeline, "--sample", "--output", str(tmp_path), "--lm", lm]) == 0
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert [name for name in stats if not name.startswith("wikipedia")] == [
        "filter", "perplexity_score", "perplexity_sample",
        "exact_prefix_keys", "exact_prefix_select", "exact_prefix_filter",
        "exact_suffix_keys", "exact_suffix_select", "exact_suffix_filter",
        "substring_shard", "substring_cross", "substring_filter",
    ]  # fmt: skip
    steps = [s["step"] for s in stats["filter"]]
    assert steps.index("FORMAT: OLM text edits") < steps.index("FILTER: fastText language ID")
    urls = {
        m["url"] for f in (tmp_path / "deduped").glob("*.parquet") for m in pq.read_table(f)["metadata"].to_pylist()
    }
    assert urls and urls <= set(samples.expected()["english"])  # only clean English articles survive

    # the two flows on the same input, side by side: `olm-data report OUT_A OUT_B`
    cc = cc_sample[0]  # the CC pipeline on the same sample (conftest: one run per test session)
    cc_urls = {m["url"] for f in (cc / "sampled").glob("*.parquet") for m in pq.read_table(f)["metadata"].to_pylist()}
    page = tmp_path / "compare.html"
    assert main(["report", str(cc), str(tmp_path), "--to", str(page)]) == 0
    text = page.read_text()
    shared = f"<tr><td>cc</td><td>{len(cc_urls):,}</td><td>{len(cc_urls & urls):,}</td></tr>"
    assert shared in text  # documents of each final corpus and how many both keep
    assert text.count('id="funnel') >= 2 and "olm_original_2022_49.py" in text and "cc_2022_49.py" in text
