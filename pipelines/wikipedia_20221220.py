"""enwiki-20221220 -> olm-wikipedia-20221220: clean namespace-0 articles from a `pages-articles` dump.

Run:
    olm-data run pipelines/wikipedia_20221220.py --sample          # the dump bundled with the package
    olm-data run pipelines/wikipedia_20221220.py --input enwiki-20221220-pages-articles-multistream.xml.bz2 --tasks 8

With the `-multistream` dump and its index next to it, the tasks split the one file by stream offsets.
"""

from datatrove.pipeline.writers import ParquetWriter

from olm_data import samples
from olm_data.readers.wikipedia import WikipediaDumpReader
from olm_data.run import UsageError
from olm_data.stage import Stage

DUMP = "enwiki-20221220-pages-articles-multistream.xml.bz2"


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
    return [articles]
