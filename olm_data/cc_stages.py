"""Stage wiring the Common Crawl pipeline files share (pipelines/cc_2022_49.py, pipelines/olm_original_2022_49.py).

Each function returns stages for a pipeline file to list; what differs between the files (the extractor, the
text edits, the URL blocklist) stays a visible argument there.
"""

from __future__ import annotations

from typing import Any

from olm_data.filters import (
    FastTextLanguageFilter,
    OlmQualityFilter,
    OlmTextEdits,
    UrlBlocklistFilter,
    WikipediaUrlFilter,
)
from olm_data.runtime import RunContext, rejected_writer
from olm_data.stage import Stage


def filter_stage(
    run: RunContext,
    reader: Any,
    extractor: Any,
    languages: list[str],
    lid_threshold: float,
    url_blocklist: bool = True,
    text_edits: bool = True,
) -> Stage:
    """Stage `filter`: records -> Wikipedia-URL filter -> [URL blocklist] -> extraction -> [OLM's text edits]
    -> fastText language ID -> OLM quality filters -> parquet in `run.out("filtered")`.

    Wikipedia URLs go: Wikipedia comes in through its own dump. OLM edited the text before language ID and the
    filters, and published the edited text. Rejected documents go to `run.rejected_folder(<step>)`, the steps
    named `urls`, `url_blocklist`, `lid` and `quality`.

    Args:
        run: the run's context.
        reader: the records' reader (`olm_data.readers.warc.common_crawl_reader`).
        extractor: HTML -> text (`olm_data.extract.make_extractor`).
        languages: the languages kept; lid_threshold: the lowest top-1 score kept.
        url_blocklist: drop the URLs of the blocklist (OLM had none).
        text_edits: OLM's text edits (`OlmTextEdits`) before language ID.
    """
    from datatrove.pipeline.writers import ParquetWriter

    def rejected(step: str) -> Any:
        return rejected_writer(run.rejected_folder(step))

    steps = [
        reader,
        WikipediaUrlFilter(exclusion_writer=rejected("urls")),
        *([UrlBlocklistFilter(exclusion_writer=rejected("url_blocklist"))] if url_blocklist else []),
        extractor,
        *([OlmTextEdits()] if text_edits else []),
        FastTextLanguageFilter(languages, lid_threshold, run.lid_model, exclusion_writer=rejected("lid")),
        OlmQualityFilter(exclusion_writer=rejected("quality")),
        ParquetWriter(run.out("filtered")),
    ]
    return Stage("filter", steps=steps)


def perplexity_sampling_stages(
    run: RunContext, input_folder: str, output_folder: str, lm: str, **settings: Any
) -> list[Stage]:
    """`perplexity_stages` wired into a run: work files under `work/perplexity`, the LM declared for
    manifest.json (and checked now, unless a pipeline included earlier in this run builds it), the run's seed and
    tasks, dropped documents to `run.rejected_folder("perplexity")`.

    Args:
        settings: `perplexity_stages`' `mode`, `target_ratio`, `cutoff`, `keep_buckets`; by default the run's
            `add_sampling_arguments` flags (`--perplexity-mode`, `--target-ratio`, ...) where it declares them.
    """
    from olm_data.perplexity.sampling import perplexity_stages

    flags = {"mode": "perplexity_mode", "target_ratio": "target_ratio", "cutoff": "perplexity_cutoff", "keep_buckets": "keep_buckets"}  # fmt: skip
    settings = {key: run.options[flag] for key, flag in flags.items() if flag in run.options} | settings

    return perplexity_stages(
        input_folder,
        output_folder,
        run.out("work/perplexity"),
        run.declare_model("perplexity_lm", lm),
        seed=run.seed,
        tasks=run.tasks,
        exclusion_folder=run.rejected_folder("perplexity"),
        check_lm=not run.built_earlier(lm),
        **settings,
    )
