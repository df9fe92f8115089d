"""Exact dedup: URL (latest fetch kept) then normalized text (earliest kept), hash-partitioned."""

import argparse
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from olm_data.dedup.cli import add_cli
from olm_data.dedup.exact import exact_dedup_stages
from olm_data.dedup.runner import run_stages
from olm_data.errors import UsageError


def row(doc_id, text, url, date):
    meta = {"url": url, "date": date}
    return {"id": doc_id, "text": text, "metadata": meta}


ROWS = [
    # one URL fetched three times: the most recent fetch wins, whatever its text
    row("u1-old", "first version of the page", "https://x.org/a", "2022-11-01T00:00:00Z"),
    row("u1-new", "third version of the page", "https://x.org/a", "2022-12-01T00:00:00Z"),
    row("u1-mid", "second version of the page", "https://x.org/a", "2022-11-15T00:00:00Z"),
    # same URL, same date: lowest id wins
    row("u2-b", "tie page b", "https://x.org/tie", "2022-11-01T00:00:00Z"),
    row("u2-a", "tie page a", "https://x.org/tie", "2022-11-01T00:00:00Z"),
    # undated fetch loses to a dated one
    row("u3-nodate", "undated", "https://x.org/nd", None),
    row("u3-dated", "dated", "https://x.org/nd", "2020-01-01T00:00:00Z"),
    row("u3-baddate", "bad date", "https://x.org/nd", "last tuesday"),  # unparseable: counts as undated
    # same normalized text under different URLs: the earliest wins
    row("t-late", "Hello, World!  It is 2022.", "https://y.org/1", "2022-12-01T00:00:00Z"),
    row("t-early", "hello world -- it is 1999", "https://y.org/2", "2022-10-01T00:00:00Z"),
    row("t-other", "hello world, it is not", "https://y.org/3", "2022-09-01T00:00:00Z"),
    # the URL's latest fetch has the same text as an older page elsewhere: URL dedup first keeps u4-new,
    # then text dedup keeps the older other-URL page t4-elsewhere and drops u4-new
    row("u4-old", "shared text", "https://z.org/p", "2022-01-01T00:00:00Z"),
    row("u4-new", "changed text", "https://z.org/p", "2022-06-01T00:00:00Z"),
    row("t4-elsewhere", "Changed TEXT.", "https://z.org/q", "2022-03-01T00:00:00Z"),
    # no URL: never a URL duplicate
    row("nourl-1", "no url one", None, "2022-01-01T00:00:00Z"),
    row("nourl-2", "no url two", None, "2022-01-01T00:00:00Z"),
]
EXPECTED = {"u1-new", "u2-a", "u3-dated", "t-early", "t-other", "t4-elsewhere", "nourl-1", "nourl-2"}


def write(folder, rows, files):
    os.makedirs(folder, exist_ok=True)
    for k in range(files):
        pq.write_table(pa.Table.from_pylist(rows[k::files]), os.path.join(folder, f"{k:02d}.parquet"))


def read(folder):
    out = []
    for f in sorted(os.listdir(folder)):
        out += pq.read_table(os.path.join(folder, f)).to_pylist()
    return out


def run(tmp_path, name, tasks, files, **kwargs):
    write(tmp_path / name / "in", ROWS, files)
    stages = exact_dedup_stages(
        str(tmp_path / name / "in"), str(tmp_path / name / "out"), str(tmp_path / name / "work"), tasks, **kwargs
    )
    run_stages(stages, str(tmp_path / name / "logs"), tasks=tasks)
    return read(tmp_path / name / "out")


def test_url_then_text_dedup_same_for_1_and_4_tasks(tmp_path):
    one = run(tmp_path, "one", tasks=1, files=1)
    four = run(tmp_path, "four", tasks=4, files=6, partitions=3, exclusion_folder=str(tmp_path / "four" / "excl"))
    assert {d["id"] for d in one} == EXPECTED
    assert sorted((d["id"], d["text"]) for d in one) == sorted((d["id"], d["text"]) for d in four)
    removed = {d["id"]: d["metadata"]["duplicate_of_id"] for d in read(tmp_path / "four" / "excl" / "url")}
    assert removed == {
        "u1-old": "u1-new",
        "u1-mid": "u1-new",
        "u2-b": "u2-a",
        "u3-nodate": "u3-dated",
        "u3-baddate": "u3-dated",
        "u4-old": "u4-new",
    }
    removed = {d["id"]: d["metadata"]["duplicate_of_id"] for d in read(tmp_path / "four" / "excl" / "text")}
    assert removed == {"t-late": "t-early", "u4-new": "t4-elsewhere"}


def test_single_key_and_cli(tmp_path, capsys):
    only_url = run(tmp_path, "url", tasks=2, files=2, keys=["url"])
    assert {"t-late", "t-early"} <= {d["id"] for d in only_url}
    write(tmp_path / "cli" / "in", ROWS, 3)
    parser = argparse.ArgumentParser()
    add_cli(parser.add_subparsers())
    args = parser.parse_args(
        ["dedup", "exact", "--input", str(tmp_path / "cli" / "in"), "--output", str(tmp_path / "cli" / "out"),
         "--work", str(tmp_path / "cli" / "work"), "--keys", "text", "--tasks", "2"]
    )  # fmt: skip
    assert args.func(args) == 0
    ids = {d["id"] for d in read(tmp_path / "cli" / "out")}
    assert "t-late" not in ids and "t-early" in ids and "u1-old" in ids
    with pytest.raises(UsageError):
        exact_dedup_stages("in", "out", "work", 1, keys=["title"])


HEAD = "Breaking: the harbour road is closed after the storm, the council said on Monday morning. " * 2  # > 100 B
TAIL = "Share this article. Follow us for more local news. Copyright 2022 The Coast Gazette. All rights reserved."
AFFIX_ROWS = [
    # same first 100 bytes, different endings: prefix dedup keeps the earliest
    row("p-late", HEAD + "Buses run on the old route.", "https://a.org/1", "2022-12-02T00:00:00Z"),
    row("p-early", HEAD + "Trains are not affected.", "https://a.org/2", "2022-12-01T00:00:00Z"),
    # same last 100 bytes, different starts: suffix dedup keeps the earliest
    row("s-early", "A new bakery opened on the square. " + TAIL, "https://b.org/1", "2022-11-01T00:00:00Z"),
    row("s-late", "The library extends its hours. " + TAIL, "https://b.org/2", "2022-11-05T00:00:00Z"),
    # shared 99 bytes at the start only (the 100th byte differs): not a prefix duplicate
    row("p99-a", HEAD[:99] + "X" + HEAD[100:], "https://c.org/1", "2022-11-01T00:00:00Z"),
    # short docs: the whole text is the key; a different short text is not a duplicate
    row("short-a", "Thank you for your message.", "https://d.org/1", "2022-11-01T00:00:00Z"),
    row("short-b", "Thank you for your message.", "https://d.org/2", "2022-11-02T00:00:00Z"),
    row("short-c", "thank you for your message.", "https://d.org/3", "2022-11-03T00:00:00Z"),  # bytes differ
    # 100 bytes cut inside a multi-byte character: compared as bytes all the same
    row("mb-a", "é" * 60 + " one ending", "https://e.org/1", "2022-11-01T00:00:00Z"),
    row("mb-b", "é" * 60 + " another ending", "https://e.org/2", "2022-11-02T00:00:00Z"),
]


@pytest.mark.parametrize(("tasks", "files", "partitions"), [(1, 1, None), (3, 4, 2)])
def test_olm_prefix_then_suffix_dedup(tmp_path, tasks, files, partitions):
    write(tmp_path / "in", AFFIX_ROWS, files)
    excl = tmp_path / "excl"
    stages = exact_dedup_stages(
        str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "work"), tasks,
        keys=["suffix", "prefix"], partitions=partitions, exclusion_folder=str(excl),
    )  # fmt: skip
    assert [s.name for s in stages][::3] == ["exact_prefix_keys", "exact_suffix_keys"]  # prefix runs first
    run_stages(stages, str(tmp_path / "logs"), tasks=tasks)
    assert {d["id"] for d in read(tmp_path / "out")} == {"p-early", "s-early", "p99-a", "short-a", "short-c", "mb-a"}
    removed = {d["id"]: d["metadata"]["duplicate_of_id"] for d in read(excl / "prefix")}
    assert removed == {"p-late": "p-early", "short-b": "short-a", "mb-b": "mb-a"}
    removed = {d["id"]: d["metadata"]["duplicate_of_id"] for d in read(excl / "suffix")}
    assert removed == {"s-late": "s-early"}
