"""What a pipeline file sees of the runtime: rejected folders and the handle of an included pipeline."""

from pathlib import Path

from olm_data.runtime import RunContext, include_pipeline

WIKIPEDIA = Path(__file__).resolve().parent.parent / "pipelines" / "wikipedia_20221220.py"


def test_rejected_folder_only_with_keep_rejected(tmp_path):
    assert RunContext(pipeline=WIKIPEDIA, output=tmp_path).rejected_folder("lid") is None
    run = RunContext(pipeline=WIKIPEDIA, output=tmp_path, keep_rejected=True)
    assert run.rejected_folder("lid") == str(tmp_path / "rejected" / "lid")
    assert run.rejected_folder() == str(tmp_path / "rejected")  # for factories that name their own subfolders


def test_included_pipeline_names_its_outputs(tmp_path):
    run = RunContext(pipeline=Path("parent.py"), output=tmp_path, sample=True)
    wiki = include_pipeline(run, WIKIPEDIA, "wikipedia")
    assert wiki.out("lm") == str(tmp_path / "wikipedia" / "lm") and wiki.final == str(
        tmp_path / "wikipedia" / "deduped"
    )
    assert [s.name for s in wiki.stages][:2] == ["wikipedia_articles", "wikipedia_exact_text_keys"]
    assert run.built_earlier(wiki.out("lm")) and not run.built_earlier(tmp_path / "lm")


def test_a_pipeline_not_built_here_is_read_where_its_own_run_writes(tmp_path):
    run = RunContext(pipeline=Path("parent.py"), output=tmp_path)
    wiki = include_pipeline(run, WIKIPEDIA, "wikipedia", build=False)
    assert wiki.stages == [] and wiki.out("lm") == str(Path("out/wikipedia_20221220/lm"))
    assert not run.built_earlier(wiki.out("lm"))
