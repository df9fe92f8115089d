"""CC-MAIN-2022-49 -> olm-CC-MAIN-2022-49: a language-filtered, quality-filtered English web corpus.

Run:
    olm-data run pipelines/cc_2022_49.py --sample                  # the WARCs bundled with the package
    olm-data run pipelines/cc_2022_49.py --input 'warcs/*.warc.gz' --output out/ --tasks 8 --workers 2
    olm-data run pipelines/cc_2022_49.py                           # the real snapshot, streamed over https

Flow: WARC records -> URL filters -> trafilatura -> fastText language ID -> OLM quality filters
      -> exact dedup (URL: latest fetch; normalized text) -> MinHash near-dedup (also against earlier snapshots)
"""

from datatrove.pipeline.writers import ParquetWriter

from olm_data import samples
from olm_data.dedup import exact_dedup_stages, minhash_stages
from olm_data.extract import TrafilaturaExtractor
from olm_data.filters import FastTextLanguageFilter, OlmQualityFilter, UrlBlocklistFilter, WikipediaUrlFilter
from olm_data.readers.warc import CommonCrawlWarcReader
from olm_data.stage import Stage

SNAPSHOT = "CC-MAIN-2022-49"
SAMPLE_RATIO, SAMPLE_SEED = 0.15114822547, 42  # the original OLM build's share of the snapshot's WARC files
LANGUAGES, LID_THRESHOLD = ["en"], 0.80  # OLM: top-1 == en with score >= 0.80
OUTPUT = "deduped"  # the final corpus folder under --output (other pipelines read it)


def add_arguments(parser) -> None:
    parser.add_argument("--sample-ratio", type=float, default=SAMPLE_RATIO, help="share of the snapshot's files")
    parser.add_argument("--cc-base", default="https://data.commoncrawl.org/", help="or s3://commoncrawl/")
    parser.add_argument("--dedup-index", nargs="*", default=[], help="MinHash indexes of earlier snapshots")
    parser.add_argument("--keep-changed", action="store_true", help="keep docs changed enough since that snapshot")


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
            # trafilatura's own paragraph dedup keeps a per-process cache: output would depend on the sharding
            TrafilaturaExtractor(favour_precision=True, deduplicate=False),
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
    return [filtered, *exact, *near]
