"""Decontamination: docs sharing a 13-word n-gram (or a whole >= 8-word sentence) with eval sets."""

import os
from pathlib import Path

import pytest
from datatrove.data import Document

from olm_data.errors import UsageError
from olm_data.filters.decontaminate import DecontaminationFilter, glue_texts

LONG = "the quick brown fox jumps over the lazy dog while the farmer watches from the old red barn"
SHORT8 = "a remarkably tender film about unlikely friendship overall"  # 8 words
SHORT5 = "it is a good movie"  # 5 words: too common to count
FILLER = "completely unrelated words about rivers mountains and the history of trade routes in europe " * 3


def make_glue(root: Path) -> Path:
    (root / "SST-2").mkdir(parents=True)
    (root / "SST-2" / "dev.tsv").write_text(f"sentence\tlabel\n{SHORT8} \t1\n{SHORT5} \t1\n")
    (root / "SST-2" / "train.tsv").write_text("sentence\tlabel\nthis train sentence is long enough to count here\t0\n")
    (root / "CoLA").mkdir()
    (root / "CoLA" / "dev.tsv").write_text(f"gj04\t1\t\t{LONG}\n")
    (root / "MRPC").mkdir()
    (root / "MRPC" / "dev.tsv").write_text(
        '\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n1\t1\t2\t"Quoted start of a string\tsecond string\n',
        encoding="utf-8",
    )
    return root


def doc(text: str) -> Document:
    return Document(text=text, id="x", metadata={})


def test_glue_layouts(tmp_path):
    glue = make_glue(tmp_path / "glue")
    assert glue_texts(str(glue / "CoLA" / "dev.tsv")) == [LONG]
    assert glue_texts(str(glue / "SST-2" / "dev.tsv")) == [SHORT8 + " ", SHORT5 + " "]
    assert glue_texts(str(glue / "MRPC" / "dev.tsv")) == ['"Quoted start of a string', "second string"]


def test_drops_docs_with_eval_ngrams(tmp_path):
    f = DecontaminationFilter([str(make_glue(tmp_path / "glue"))])
    words = LONG.split()
    # a 13-word window of the CoLA sentence, re-cased and re-punctuated, inside other text
    window = " ".join(words[2:15]).upper().replace(" ", ", ")
    assert f.filter(doc(FILLER + window + " " + FILLER)) == (False, "olm_contaminated")
    assert f.filter(doc(FILLER + " ".join(words[2:14]) + " " + FILLER)) is True  # 12 words: no 13-gram
    assert f.filter(doc(FILLER + SHORT8.title() + "!" + FILLER)) == (False, "olm_contaminated")
    assert f.filter(doc(FILLER + SHORT5 + " " + FILLER)) is True  # shorter than min_words
    assert f.filter(doc(FILLER + "this train sentence is long enough to count here")) is True  # train split unused
    assert f.filter(doc(FILLER)) is True
    assert f.stats["contaminated_glue/CoLA/dev.tsv"].total == 1
    assert f.stats["contaminated_glue/SST-2/dev.tsv"].total == 1
    assert f.stats["contaminated"].total == 2


def test_flag_mode_keeps_and_marks(tmp_path):
    f = DecontaminationFilter([str(make_glue(tmp_path / "glue") / "CoLA")], action="flag")
    d = doc(FILLER + LONG)
    assert f.filter(d) is True
    assert d.metadata["contaminated_with"] == "CoLA/dev.tsv"
    clean = doc(FILLER)
    assert f.filter(clean) is True and clean.metadata["contaminated_with"] == ""


def test_bad_arguments(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        DecontaminationFilter([str(tmp_path / "missing")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no evaluation files"):
        DecontaminationFilter([str(tmp_path / "empty")])
    with pytest.raises(UsageError):
        DecontaminationFilter([str(tmp_path)], action="delete")


REAL_GLUE = Path(__file__).resolve().parents[2] / "shared" / "data" / "glue"


@pytest.mark.skipif(not REAL_GLUE.is_dir(), reason="real GLUE data (../shared/data/glue) not available")
def test_real_glue_dev_sets():
    f = DecontaminationFilter([str(REAL_GLUE)])
    rte = glue_texts(str(REAL_GLUE / "RTE" / "dev.tsv"))
    long_sentence = next(s for s in rte if len(s.split()) >= 20)
    assert f.filter(doc(FILLER + long_sentence + " " + FILLER)) == (False, "olm_contaminated")
    assert f.filter(doc(FILLER * 5)) is True
    _, _, names, _ = f.index
    assert {n.split("/")[1] for n in names} == {"CoLA", "MRPC", "RTE", "SST-2", "STS-B"}
    assert all(n.endswith("dev.tsv") for n in names)
    assert os.path.isdir(REAL_GLUE)
