"""CC-MAIN-2022-49 + enwiki-20221220 -> olm-december-2022-tokenized-512 -> a tiny BERT.

Run:
    olm-data run pipelines/olm_december_2022.py --sample       # everything, on the bundled sample (CPU, minutes)
    olm-data run pipelines/olm_december_2022.py --cc out/cc/sampled --wikipedia out/wikipedia/deduped --tasks 16

Without `--cc`/`--wikipedia` it first runs the CC and Wikipedia pipelines' stages itself. Then: an uncased WordPiece
vocab fitted on both corpora -> documents packed into 512-token rows (Hub parquet + uint16 memmap shards) -> a short
tiny-BERT pretraining run (`--pretrain-tokens`; 0 skips it) -> a fill-mask demo. GPU: `olm-data pretrain` (README).
"""

from pathlib import Path

from olm_data.demo import SAMPLE_TOKENS, pretrain_and_demo
from olm_data.runtime import include_pipeline
from olm_data.stage import Stage
from olm_data.trainer.pack import tokenize_corpus
from olm_data.trainer.tokenizer import train_tokenizer

HERE, VOCAB_SIZE, SEQ_LEN = Path(__file__).resolve().parent, 30522, 512


def add_arguments(parser) -> None:
    parser.add_argument("--cc", help="the CC corpus (parquet folder); default: run pipelines/cc_2022_49.py")
    parser.add_argument("--wikipedia", help="the Wikipedia corpus; default: run pipelines/wikipedia_20221220.py")
    parser.add_argument("--lm", help="reference LM for the CC pipeline (default: the one built with --wikipedia)")
    parser.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    parser.add_argument("--pretrain-tokens", type=float, default=None, help="default: 2e5 with --sample, else 0")


def stages(run):
    opts, tok, tokenized, model = run.options, run.out("tokenizer"), run.out("tokenized-512"), run.out("tiny-bert")
    wiki = include_pipeline(run, HERE / "wikipedia_20221220.py", "wikipedia", build=not opts["wikipedia"])
    lm = opts["lm"] or run.out("wikipedia/lm")  # CC samples under the Wikipedia LM, built above (or by an earlier run)
    cc = include_pipeline(run, HERE / "cc_2022_49.py", "cc", build=not opts["cc"], lm=lm)
    corpora = [opts["wikipedia"] or wiki.final, opts["cc"] or cc.final]
    tokens = SAMPLE_TOKENS if opts["pretrain_tokens"] is None and run.sample else opts["pretrain_tokens"]
    stages = [
        *wiki.stages,
        *cc.stages,
        Stage("vocab", action=lambda run: train_tokenizer(corpora, tok, run.options["vocab_size"])),
        Stage("tokenize", action=lambda run: tokenize_corpus(corpora, tok, tokenized, SEQ_LEN, run.tasks, run.seed)),
        Stage("pretrain", action=lambda run: pretrain_and_demo(tokenized, tok, model, tokens, run.seed)),
    ]
    return stages if tokens else stages[:-1]  # --pretrain-tokens 0 (the default without --sample): no pretraining
