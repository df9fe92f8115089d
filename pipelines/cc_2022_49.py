"""CC-MAIN-2022-49 -> olm-CC-MAIN-2022-49: a language-filtered, quality-filtered English web corpus.

Run:
    olm-data run pipelines/cc_2022_49.py --sample                  # the bundled WARCs (+ the sample's Wikipedia LM)
    olm-data run pipelines/cc_2022_49.py --input 'warcs/*.warc.gz' --output out/ --tasks 8 --workers 2
    olm-data run pipelines/cc_2022_49.py                           # the real snapshot, streamed over https

Flow: WARC records -> URL filters -> trafilatura (or resiliparse) -> OLM's text edits (`--no-text-edits`: off)
      -> fastText language ID -> OLM quality filters
      -> exact dedup (URL: latest fetch; normalized text) -> MinHash near-dedup (also against earlier snapshots)
      -> perplexity under the reference LM that pipelines/wikipedia_20221220.py trains -> perplexity sampling
"""

from pathlib import Path

from datatrove.pipeline.writers import ParquetWriter

from olm_data import samples
from olm_data.dedup import exact_dedup_stages, minhash_stages
from olm_data.extract import EXTRACTORS, make_extractor
from olm_data.filters import (
    FastTextLanguageFilter,
    OlmQualityFilter,
    OlmTextEdits,
    UrlBlocklistFilter,
    WikipediaUrlFilter,
)
from olm_data.perplexity.cli import add_sampling_arguments
from olm_data.perplexity.sampling import perplexity_stages
from olm_data.readers.warc import CommonCrawlWarcReader
from olm_data.run import include_pipeline
from olm_data.stage import Stage

SNAPSHOT = "CC-MAIN-2022-49"
SAMPLE_RATIO, SAMPLE_SEED = 0.15114822547, 42  # the original OLM build's share of the snapshot's WARC files
LANGUAGES, LID_THRESHOLD = ["en"], 0.80  # OLM: top-1 == en with score >= 0.80
OUTPUT = "sampled"  # the final corpus folder under --output (other pipelines read it)


def add_arguments(parser) -> None:
    parser.add_argument("--sample-ratio", type=float, default=SAMPLE_RATIO, help="share of the snapshot's files")
    parser.add_argument("--cc-base", default="https://data.commoncrawl.org/", help="or s3://commoncrawl/")
    parser.add_argument("--extractor", choices=list(EXTRACTORS), default="trafilatura", help="HTML -> text")
    parser.add_argument("--dedup-index", nargs="*", default=[], help="MinHash indexes of earlier snapshots")
    parser.add_argument("--keep-changed", action="store_true", help="keep docs changed enough since that snapshot")
    parser.add_argument(
        "--no-text-edits", action="store_true", help="filter and publish the extracted text without OLM's edits"
    )
    add_sampling_arguments(parser)  # --lm (default: the LM the Wikipedia pipeline wrote), --perplexity-mode, ...


def stages(run):
    source = run.input or ([str(p) for p in samples.warc_files()] if run.sample else SNAPSHOT)
    filtered = Stage(
        "filter",
        steps=[
            CommonCrawlWarcReader(
                source,
                snapshot=SNAPSHOT,
                sample_ratio=run.options["sample_ratio"],
                seed=SAMPLE_SEED,
                base_url=run.options["cc_base"],
                limit=run.limit,
            ),
            WikipediaUrlFilter(exclusion_writer=run.rejected("urls")),  # Wikipedia comes in through its own dump
            UrlBlocklistFilter(exclusion_writer=run.rejected("url_blocklist")),
            make_extractor(run.options["extractor"]),  # trafilatura (favour precision) or resiliparse (~20x faster)
            # OLM edited the text before language ID and the filters, and published the edited text
            *([] if run.options.get("no_text_edits") else [OlmTextEdits()]),
            FastTextLanguageFilter(LANGUAGES, LID_THRESHOLD, run.lid_model, exclusion_writer=run.rejected("lid")),
            OlmQualityFilter(exclusion_writer=run.rejected("quality")),
            ParquetWriter(run.out("filtered")),
        ],
    )
    rejected = run.out("rejected") if run.keep_rejected else None
    exact = exact_dedup_stages(
        run.out("filtered"), run.out("exact"), run.out("work/dedup"), run.tasks, exclusion_folder=rejected
    )
    near = minhash_stages(
        run.out("exact"),
        run.out("deduped"),
        run.out("work/dedup"),
        run.tasks,
        index_folders=run.options["dedup_index"],
        keep_changed=run.options["keep_changed"],
        snapshot=SNAPSHOT,
        exclusion_folder=rejected and f"{rejected}/minhash",
    )
    lm, lm_built_earlier = run.options["lm"], run.options.get("lm_built_earlier", False)
    wikipedia = []
    if lm is None and run.sample:  # the sample is self-contained: the reference LM comes from the sample dump
        wikipedia, _ = include_pipeline(run, Path(__file__).with_name("wikipedia_20221220.py"), "wikipedia")
        lm, lm_built_earlier = run.out("wikipedia/lm"), True
    lm = lm or "out/wikipedia_20221220/lm"  # where the Wikipedia pipeline writes it by default
    sampled = perplexity_stages(
        run.out("deduped"),
        run.out(OUTPUT),
        run.out("work/perplexity"),
        run.declare_model("perplexity_lm", lm),
        mode=run.options["perplexity_mode"],
        target_ratio=run.options["target_ratio"],
        cutoff=run.options["perplexity_cutoff"],
        keep_buckets=run.options["keep_buckets"],
        seed=run.seed,
        tasks=run.tasks,
        exclusion_folder=rejected and f"{rejected}/perplexity",
        check_lm=not lm_built_earlier,  # else a missing LM is a one-line error before anything runs
    )
    return [*wikipedia, filtered, *exact, *near, *sampled]
