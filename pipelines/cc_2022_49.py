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

from olm_data import samples
from olm_data.cc_stages import filter_stage, perplexity_sampling_stages
from olm_data.dedup import exact_dedup_stages, minhash_stages
from olm_data.extract import EXTRACTORS, make_extractor
from olm_data.perplexity.cli import add_sampling_arguments
from olm_data.readers.warc import add_common_crawl_arguments, common_crawl_reader
from olm_data.runtime import include_pipeline

SNAPSHOT, SAMPLE_SEED = "CC-MAIN-2022-49", 42  # the default crawl (--snapshot: another); OLM read 0.151 of it, seed 42
LANGUAGES, LID_THRESHOLD = ["en"], 0.80  # OLM: top-1 == en with score >= 0.80
OUTPUT = "sampled"  # the final corpus folder under --output (other pipelines read it)
WIKIPEDIA = Path(__file__).with_name("wikipedia_20221220.py")  # trains the reference LM


def add_arguments(parser) -> None:
    add_common_crawl_arguments(parser, SNAPSHOT)  # --snapshot, --sample-ratio, --cc-base, --http-*, --allow-missing
    parser.add_argument("--extractor", choices=list(EXTRACTORS), default="trafilatura", help="HTML -> text")
    parser.add_argument("--dedup-index", nargs="*", default=[], help="MinHash indexes of earlier snapshots")
    parser.add_argument("--keep-changed", action="store_true", help="keep docs changed enough since that snapshot")
    parser.add_argument("--no-text-edits", action="store_true", help="filter and publish the text without OLM's edits")
    add_sampling_arguments(parser)  # --lm (default: the LM the Wikipedia pipeline wrote), --perplexity-mode, ...


def stages(run):
    opts, dedup, rejected = run.options, run.out("work/dedup"), run.rejected_folder  # rejected(step): OUT/rejected/
    reader = common_crawl_reader(run, SNAPSHOT, samples.warc_files(), SAMPLE_SEED)
    extractor = make_extractor(opts["extractor"])  # trafilatura (favour precision) or resiliparse (~20x faster)
    filtered = filter_stage(run, reader, extractor, LANGUAGES, LID_THRESHOLD, text_edits=not opts["no_text_edits"])
    exact = exact_dedup_stages(run.out("filtered"), run.out("exact"), dedup, run.tasks, exclusion_folder=rejected())
    near = minhash_stages(
        run.out("exact"),
        run.out("deduped"),
        dedup,
        run.tasks,
        index_folders=opts["dedup_index"],
        keep_changed=opts["keep_changed"],
        snapshot=reader.snapshot_key(),
        exclusion_folder=rejected("minhash"),
    )
    # the sample is self-contained: its Wikipedia dump builds the LM first; else `olm-data run WIKIPEDIA` built it
    wikipedia = include_pipeline(run, WIKIPEDIA, "wikipedia", build=run.sample and not opts["lm"])
    sampled = perplexity_sampling_stages(run, run.out("deduped"), run.out(OUTPUT), opts["lm"] or wikipedia.out("lm"))
    return [*wikipedia.stages, filtered, *exact, *near, *sampled]
