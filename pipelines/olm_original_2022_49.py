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

from datatrove.pipeline.writers import ParquetWriter

from olm_data import samples
from olm_data.dedup.exact import exact_dedup_stages
from olm_data.dedup.substring import substring_dedup_stages
from olm_data.extract import make_extractor
from olm_data.filters import FastTextLanguageFilter, OlmQualityFilter, OlmTextEdits, WikipediaUrlFilter
from olm_data.perplexity.sampling import perplexity_stages
from olm_data.readers.warc import add_common_crawl_arguments, common_crawl_reader
from olm_data.run import include_pipeline
from olm_data.stage import Stage

SNAPSHOT = "CC-MAIN-2022-49"  # the default crawl (--snapshot picks another); OLM read 0.151 of its files, seed 42
SAMPLE_SEED = 42
LANGUAGES, LID_THRESHOLD = ["en"], 0.80
PERPLEXITY_CUTOFF = 1500.0  # BigScience's English `perplexity_max_cutoff`
SUBSTRING_K = 100  # bytes: OLM's prefix/suffix length and Google's suffix-array dedup length
OUTPUT = "deduped"  # the final corpus folder under --output


def add_arguments(parser) -> None:
    add_common_crawl_arguments(
        parser, SNAPSHOT, format="wet"
    )  # the same files as pipelines/cc_2022_49.py picks from the same flags
    parser.add_argument("--lm", help="reference LM folder (default: the Wikipedia pipeline's, built with --sample)")
    parser.add_argument("--perplexity-cutoff", type=float, default=PERPLEXITY_CUTOFF, help="highest perplexity kept")


def stages(run):
    rejected = run.out("rejected") if run.keep_rejected else None
    filtered = Stage(
        "filter",
        steps=[
            common_crawl_reader(run, SNAPSHOT, samples.warc_files(), SAMPLE_SEED),
            WikipediaUrlFilter(exclusion_writer=run.rejected("urls")),
            make_extractor("resiliparse", main_content=False),  # all visible text: the WET stand-in
            OlmTextEdits(),
            FastTextLanguageFilter(LANGUAGES, LID_THRESHOLD, run.lid_model, exclusion_writer=run.rejected("lid")),
            OlmQualityFilter(exclusion_writer=run.rejected("quality")),  # BigScience's lists are its defaults
            ParquetWriter(run.out("filtered")),
        ],
    )
    # the sample carries its own Wikipedia dump: build the reference LM from it first, in this run
    wikipedia, lm, built_here = [], run.options["lm"], False
    if lm is None and run.sample:
        wikipedia, _ = include_pipeline(run, Path(__file__).with_name("wikipedia_20221220.py"), "wikipedia")
        lm, built_here = run.out("wikipedia/lm"), True
    perplexity = perplexity_stages(
        run.out("filtered"),
        run.out("perplexity"),
        run.out("work/perplexity"),
        run.declare_model("perplexity_lm", lm or "out/wikipedia_20221220/lm"),
        mode="cutoff",
        target_ratio=None,
        cutoff=run.options["perplexity_cutoff"],
        seed=run.seed,
        tasks=run.tasks,
        exclusion_folder=rejected and f"{rejected}/perplexity",
        check_lm=not built_here,
    )
    affixes = exact_dedup_stages(
        run.out("perplexity"),
        run.out("affix_deduped"),
        run.out("work/dedup"),
        run.tasks,
        keys=("prefix", "suffix"),
        exclusion_folder=rejected,
    )
    substrings = substring_dedup_stages(
        run.out("affix_deduped"),
        run.out(OUTPUT),
        run.out("work/dedup"),
        run.tasks,
        k=SUBSTRING_K,
        mode="document",  # OLM's --remove_whole_example
        exclusion_folder=rejected and f"{rejected}/substring",
    )
    return [*wikipedia, filtered, *perplexity, *affixes, *substrings]
