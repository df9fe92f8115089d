"""On the bundled sample: an LM trained on the sample's Wikipedia articles scores its web pages sensibly.

This is the issue's acceptance check: Wikipedia-like pages (clean English articles) score lower perplexity than
the sample's boilerplate and spam pages, with the LM trained here on the sample dump (35 pages).
"""

from __future__ import annotations

import json
import statistics

import pytest

from olm_data import samples

pytest.importorskip("kenlm")


def test_articles_score_lower_than_boilerplate_and_spam(tmp_path):
    from olm_data.extract import TrafilaturaExtractor
    from olm_data.perplexity.lm import PerplexityModel, train_lm
    from olm_data.readers.warc import CommonCrawlWarcReader
    from olm_data.readers.wikipedia import WikipediaDumpReader

    with open(tmp_path / "wiki.jsonl", "w") as f:
        for doc in WikipediaDumpReader(str(samples.wikipedia_dump())).run():
            f.write(json.dumps({"id": doc.id, "text": doc.text}) + "\n")
    lm = train_lm([tmp_path / "wiki.jsonl"], tmp_path / "lm", sp_threads=1)  # defaults: 5-gram, vocab <= 65536
    model = PerplexityModel(lm)

    expected = samples.expected()
    category = {url: name for name in ("english", "boilerplate", "spam", "wikipedia_url") for url in expected[name]}
    reader = CommonCrawlWarcReader([str(p) for p in samples.warc_files()], snapshot=samples.SNAPSHOT)
    scores: dict[str, list[float]] = {}
    for doc in TrafilaturaExtractor(favour_precision=True, deduplicate=False).run(reader.run()):
        name = category.get(doc.metadata["url"])
        ppl = model.perplexity(doc.text)
        if name is not None and ppl is not None:
            scores.setdefault(name, []).append(ppl)
    assert len(scores["english"]) >= 20 and len(scores["boilerplate"]) >= 1 and len(scores["spam"]) >= 1
    english = statistics.median(scores["english"])
    assert english < min(statistics.median(scores["boilerplate"]), statistics.median(scores["spam"]))
    # the en.wikipedia.org page in the crawl is the most Wikipedia-like of all
    assert max(scores["wikipedia_url"]) < english
