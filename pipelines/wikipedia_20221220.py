"""enwiki-20221220 -> olm-wikipedia-20221220: clean namespace-0 articles from a `pages-articles` dump.

Run:
    olm-data run pipelines/wikipedia_20221220.py --sample          # the dump bundled with the package
    olm-data run pipelines/wikipedia_20221220.py --input enwiki-20221220-pages-articles-multistream.xml.bz2 --tasks 8

With the `-multistream` dump and its index next to it, the tasks split the one file by stream offsets.
Flow: dump -> namespace-0 articles (redirects skipped, wikitext cleaned) -> exact text dedup -> MinHash dedup
      -> the reference LM for perplexity sampling (CCNet normalization, SentencePiece, modified Kneser-Ney 5-gram)
      in OUT/lm/, which pipelines/cc_2022_49.py reads.
"""

from datatrove.pipeline.writers import ParquetWriter

from olm_data import samples
from olm_data.dedup import exact_dedup_stages, minhash_stages
from olm_data.errors import UsageError
from olm_data.perplexity.lm import lm_train_stage
from olm_data.readers.wikipedia import WikipediaDumpReader
from olm_data.stage import Stage

DUMP = "enwiki-20221220-pages-articles-multistream.xml.bz2"
OUTPUT = "deduped"  # the final corpus folder under --output (other pipelines read it)


def stages(run):
    if run.input:
        if len(run.input) != 1:
            raise UsageError("the Wikipedia pipeline reads one dump file (or one folder of dumps)")
        dump = run.input[0]
    elif run.sample:
        dump = str(samples.wikipedia_dump())
    else:
        raise UsageError(f"give the dump with --input (e.g. {DUMP}) or use --sample")
    articles = Stage(
        "articles",
        steps=[WikipediaDumpReader(dump, limit=run.limit), ParquetWriter(run.out("articles"))],
    )
    exact = exact_dedup_stages(run.out("articles"), run.out("exact"), run.out("work/dedup"), run.tasks, keys=["text"])
    near = minhash_stages(run.out("exact"), run.out("deduped"), run.out("work/dedup"), run.tasks)
    lm = lm_train_stage(run.out(OUTPUT), run.out("lm"), seed=run.seed)
    return [articles, *exact, *near, lm]
