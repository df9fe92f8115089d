"""CC-MAIN-2022-49 the way OLM built it (huggingface/olm-datasets, Dec 2022), to compare with pipelines/cc_2022_49.py.

Run:
    olm-data run pipelines/olm_original_2022_49.py --sample         # the bundled WARCs (+ the sample's Wikipedia LM)
    olm-data run pipelines/olm_original_2022_49.py --input 'warcs/*.warc.gz' --lm out/wikipedia_20221220/lm
    olm-data run pipelines/olm_original_2022_49.py --lm out/wikipedia_20221220/lm   # the snapshot's WET files, as OLM

Flow (OLM's published order): page text -> Wikipedia-URL removal -> BigScience's text edits -> fastText language
ID (en, score >= 0.80, on the edited text) -> BigScience's quality filters (BigScience's word lists) ->
perplexity <= 1500 -> exact dedup of the first 100 bytes, then of the last 100 bytes -> exact-substring dedup
(suffix arrays, k = 100 bytes), dropping every document that holds a duplicated span (all copies).
No URL blocklist, no MinHash, no perplexity sampling: OLM had none of them.

Input: OLM read Common Crawl's WET files (text CC extracted from every visible part of the page), and so does this
pipeline by default for a snapshot (`--format wet` streams its `wet.paths.gz`; WET records pass the extraction step
unchanged). WARC input (`--format warc`, the bundled sample, local WARCs) is extracted with resiliparse keeping all
visible text (`main_content=False`), the closest stand-in for WET text. The perplexity cut uses our own Wikipedia LM
(pipelines/wikipedia_20221220.py), not OLM's: perplexity scales differ between LMs, so 1500 is OLM's number,
not a calibrated equivalent (`--perplexity-cutoff` changes it).

Same input, two corpora: run this file and pipelines/cc_2022_49.py with the same --input; each run's report.html
shows its funnel (OUT/stats.json has every step's counts).
"""

from pathlib import Path

from olm_data import samples
from olm_data.cc_stages import filter_stage, perplexity_sampling_stages
from olm_data.dedup.exact import exact_dedup_stages
from olm_data.dedup.substring import substring_dedup_stages
from olm_data.extract import make_extractor
from olm_data.readers.warc import add_common_crawl_arguments, common_crawl_reader
from olm_data.runtime import include_pipeline

SNAPSHOT = "CC-MAIN-2022-49"  # the default crawl (--snapshot picks another); OLM read 0.151 of its files, seed 42
SAMPLE_SEED = 42
LANGUAGES, LID_THRESHOLD = ["en"], 0.80
PERPLEXITY_CUTOFF = 1500.0  # BigScience's English `perplexity_max_cutoff`
SUBSTRING_K = 100  # bytes: OLM's prefix/suffix length and Google's suffix-array dedup length
OUTPUT = "deduped"  # the final corpus folder under --output
WIKIPEDIA = Path(__file__).with_name("wikipedia_20221220.py")  # trains the reference LM


def add_arguments(parser) -> None:
    add_common_crawl_arguments(
        parser, SNAPSHOT, format="wet"
    )  # the same files as pipelines/cc_2022_49.py picks from the same flags
    parser.add_argument("--lm", help="reference LM folder (default: the Wikipedia pipeline's, built with --sample)")
    parser.add_argument("--perplexity-cutoff", type=float, default=PERPLEXITY_CUTOFF, help="highest perplexity kept")


def stages(run):
    reader = common_crawl_reader(run, SNAPSHOT, samples.warc_files(), SAMPLE_SEED)
    extractor = make_extractor("resiliparse", main_content=False)  # all visible text: the WET stand-in
    # no URL blocklist; BigScience's word lists are OlmQualityFilter's defaults
    filtered = filter_stage(run, reader, extractor, LANGUAGES, LID_THRESHOLD, url_blocklist=False)
    # the sample carries its own Wikipedia dump: build the reference LM from it first, in this run
    wikipedia = include_pipeline(run, WIKIPEDIA, "wikipedia", build=run.sample and not run.options["lm"])
    perplexity = perplexity_sampling_stages(
        run,
        run.out("filtered"),
        run.out("perplexity"),
        run.options["lm"] or wikipedia.out("lm"),
        mode="cutoff",
        target_ratio=None,
        cutoff=run.options["perplexity_cutoff"],
    )
    affixes = exact_dedup_stages(
        run.out("perplexity"),
        run.out("affix_deduped"),
        run.out("work/dedup"),
        run.tasks,
        keys=("prefix", "suffix"),
        exclusion_folder=run.rejected_folder(),
    )
    substrings = substring_dedup_stages(
        run.out("affix_deduped"),
        run.out(OUTPUT),
        run.out("work/dedup"),
        run.tasks,
        k=SUBSTRING_K,
        mode="document",  # OLM's --remove_whole_example
        exclusion_folder=run.rejected_folder("substring"),
    )
    return [*wikipedia.stages, filtered, *perplexity, *affixes, *substrings]
