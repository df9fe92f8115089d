"""stats.json: the documents each step saw, from datatrove's per-task stats."""

from datatrove.utils.stats import MetricStats

from olm_data.runtime import _step_summary


def doc_len_of(lengths: list[int]) -> object:
    stat = MetricStats()
    for n in lengths:
        stat += n
    return stat.to_dict()


def test_docs_counts_a_step_that_saw_one_document():
    # datatrove leaves `n` out of a stat when it is 1 (or equals the total): stats.json must still say 1
    for lengths in ([2358], [1], [3, 3], [1, 1, 1], [5, 7, 9]):
        step = {"name": "💽 - WRITER: 📒 Parquet", "stats": {"doc_len": doc_len_of(lengths)}, "time_stats": 0.0}
        summary = _step_summary(step)
        assert summary["docs"] == len(lengths), (lengths, step["stats"])
        assert summary["chars"] == sum(lengths)
        assert "doc_len" not in summary["counts"]
