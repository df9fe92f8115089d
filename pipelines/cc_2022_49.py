"""CC-MAIN-2022-49 -> olm-CC-MAIN-2022-49: a language-filtered, quality-filtered English web corpus.

Run:
    olm-data run pipelines/cc_2022_49.py --sample                  # the bundled WARCs (+ the sample's Wikipedia LM)
    olm-data run pipelines/cc_2022_49.py --input 'warcs/*.warc.gz' --output out/ --tasks 8 --workers 2
    olm-data run pipelines/cc_2022_49.py                           # the real snapshot, streamed over https
    olm-data run pipelines/cc_2022_49.py --snapshot CC-MAIN-2026-05 # any other crawl (all of its files by default)

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
from olm_data.readers.warc import add_common_crawl_arguments, common_crawl_reader
from olm_data.run import include_pipeline
from olm_data.stage import Stage

SNAPSHOT = "CC-MAIN-2022-49"  # the default crawl (--snapshot picks another); OLM read 0.151 of its files, seed 42
SAMPLE_SEED = 42
LANGUAGES, LID_THRESHOLD = ["en"], 0.80  # OLM: top-1 == en with score >= 0.80
OUTPUT = "sampled"  # the final corpus folder under --output (other pipelines read it)


def add_arguments(parser) -> None:
    add_common_crawl_arguments(parser, SNAPSHOT)  # --snapshot, --sample-ratio, --cc-base, --http-*, --allow-missing
    parser.add_argument("--extractor", choices=list(EXTRACTORS), default="trafilatura", help="HTML -> text")
    parser.add_argument("--dedup-index", nargs="*", default=[], help="MinHash indexes of earlier snapshots")
    parser.add_argument("--keep-changed", action="store_true", help="keep docs changed enough since that snapshot")
    parser.add_argument(
        "--no-text-edits", action="store_true", help="filter and publish the extracted text without OLM's edits"
    )
    add_sampling_arguments(parser)  # --lm (default: the LM the Wikipedia pipeline wrote), --perplexity-mode, ...


def stages(run):
    reader = common_crawl_reader(run, SNAPSHOT, samples.warc_files(), SAMPLE_SEED)
    filtered = Stage(
        "filter",
        steps=[
            reader,
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
        snapshot=reader.snapshot_key(),
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
