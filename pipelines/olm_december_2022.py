"""CC-MAIN-2022-49 + enwiki-20221220 -> olm-december-2022-tokenized-512 -> a tiny BERT.

Run:
    olm-data run pipelines/olm_december_2022.py --sample       # everything, on the bundled sample (CPU, minutes)
    olm-data run pipelines/olm_december_2022.py --cc out/cc/sampled --wikipedia out/wikipedia/deduped --tasks 16

With `--sample` (or without `--cc`/`--wikipedia`) it first runs the CC and Wikipedia pipelines' stages itself.
Then: an uncased WordPiece vocab fitted on both corpora -> documents packed into 512-token rows (Hub parquet +
uint16 memmap shards) -> a short tiny-BERT pretraining run (`--pretrain-tokens`; 0 skips it) -> a fill-mask
demo. Real pretraining runs are `olm-data pretrain` on a GPU node (see README).
"""

from pathlib import Path

from olm_data.run import include_pipeline
from olm_data.stage import Stage
from olm_data.trainer.pack import tokenize_corpus
from olm_data.trainer.tokenizer import train_tokenizer

HERE = Path(__file__).resolve().parent
VOCAB_SIZE, SEQ_LEN = 30522, 512
DEMO = "The Covid-19 [MASK] is global."


def add_arguments(parser) -> None:
    parser.add_argument("--cc", help="the CC corpus (parquet folder); default: run pipelines/cc_2022_49.py")
    parser.add_argument("--wikipedia", help="the Wikipedia corpus; default: run pipelines/wikipedia_20221220.py")
    parser.add_argument("--lm", help="reference LM for the CC pipeline (default: the one built with --wikipedia)")
    parser.add_argument("--vocab-size", type=int, default=VOCAB_SIZE)
    parser.add_argument("--pretrain-tokens", type=float, default=None, help="default: 2e5 with --sample, else 0")


def stages(run):
    corpora, stages = [], []
    # Wikipedia first: the CC pipeline samples by perplexity under the LM the Wikipedia pipeline trains
    for flag, pipeline in (("wikipedia", "wikipedia_20221220.py"), ("cc", "cc_2022_49.py")):
        if run.options[flag]:
            corpora.append(run.options[flag])
        else:  # build it here, under OUT/<flag>/
            overrides = {}
            if flag == "cc":
                built = not run.options["lm"] and not run.options["wikipedia"]
                overrides = {"lm": run.options["lm"] or run.out("wikipedia/lm"), "lm_built_earlier": built}
            included, corpus = include_pipeline(run, HERE / pipeline, flag, **overrides)
            stages += included
            corpora.append(corpus)
    tok, tokenized, model = run.out("tokenizer"), run.out("tokenized-512"), run.out("tiny-bert")
    stages.append(Stage("vocab", action=lambda run: train_tokenizer(corpora, tok, run.options["vocab_size"])))
    stages.append(
        Stage("tokenize", action=lambda run: tokenize_corpus(corpora, tok, tokenized, SEQ_LEN, run.tasks, run.seed))
    )
    tokens = run.options["pretrain_tokens"]
    if tokens is None:
        tokens = 2e5 if run.sample else 0
    if tokens:
        stages.append(Stage("pretrain", action=lambda run: pretrain_and_demo(tokenized, tok, model, tokens, run.seed)))
    return stages


def pretrain_and_demo(data: str, tokenizer: str, output: str, tokens: float, seed: int) -> None:
    """A short pretraining run (seq 128, small batches: enough to see the loss fall on CPU), then fill-mask."""
    from olm_data.trainer.config import TrainConfig
    from olm_data.trainer.export import fill_mask
    from olm_data.trainer.train import pretrain

    config = TrainConfig(
        data=data, tokenizer=tokenizer, output=output, model="tiny", tokens=tokens, seq_len=128, batch_size=32,
        lr=1e-3, warmup=0.1, eval_every=0, eval_rows=32, ckpt_every=0, log_every=10, seed=seed,
    )  # fmt: skip
    pretrain(config, resume=(Path(output) / "checkpoints").is_dir())  # a run cut off earlier continues
    print(f"\nfill-mask demo ({output}): {DEMO}")
    for guess in fill_mask(output, DEMO):
        print(f"  {guess['token_str']:<16} {guess['score']:.3f}")
