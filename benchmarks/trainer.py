"""Pretraining throughput: our trainer vs the Hugging Face Trainer recipe, same packed data, same model, one process.

Run by hand (not a test):
    python benchmarks/trainer.py                    # GPU when present (tiny BERT, seq 128 and 512), else CPU sizes
    python benchmarks/trainer.py --seq 512 --ours-batch 2048 --hf-batch 128
    python benchmarks/trainer.py --real-text        # loss and held-out accuracy on the Wikipedia sample (CPU ok)

Ours = `olm_data.trainer.train.pretrain` end to end: memmapped shards, pinned buffers, device masking, sparse MLM
head, bf16 + compile on CUDA, fused AdamW. HF = `transformers.Trainer` + `DataCollatorForLanguageModeling(0.15)`
(bf16 on CUDA), reading the same rows; when `accelerate` (which the Trainer needs) is missing, an equivalent
loop runs the same collator and `BertForMaskedLM(labels=...)` forward, and the table says so. Both use the
same BertConfig (no dropout). Throughput counts every position of every row, after warm-up steps.
MFU uses the FLOPs each recipe really computes (ours: head on masked positions only; HF: on all positions).
Needs only torch, transformers, tokenizers and numpy (plus this repository).
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import bz2
import gc
import html
import importlib.util
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
WIKI_SAMPLE = ROOT.parent / "shared" / "data" / "wikipedia" / "enwiki-sample-206-pages.xml.bz2"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def import_trainer():
    """olm_data.trainer when installed; otherwise load ./trainer as olm_data.trainer (a bare GPU box)."""
    try:
        from olm_data.trainer import config, data, train  # noqa: F401

        return config, train
    except ImportError:
        sys.path.insert(0, str(ROOT))
        import olm_data

        spec = importlib.util.spec_from_file_location(
            "olm_data.trainer", ROOT / "trainer" / "__init__.py", submodule_search_locations=[str(ROOT / "trainer")]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["olm_data.trainer"] = module
        olm_data.trainer = module
        spec.loader.exec_module(module)
        from olm_data.trainer import config, train

        return config, train


# ---- data ---------------------------------------------------------------------------------------------------
def synthetic_tokenizer(folder: Path, vocab_size: int):
    """A BERT WordPiece tokenizer over made-up words `w5`...: only its size and special ids matter here."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertTokenizerFast

    vocab = {tok: i for i, tok in enumerate(SPECIALS + [f"w{i}" for i in range(len(SPECIALS), vocab_size)])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    names = ("pad_token", "unk_token", "cls_token", "sep_token", "mask_token")
    fast = BertTokenizerFast(tokenizer_object=tok, **dict(zip(names, SPECIALS, strict=True)))
    fast.save_pretrained(folder)
    return fast


def write_packed(folder: Path, stream: np.ndarray, seq_len: int, vocab_size: int, rows_per_shard: int = 65536) -> Path:
    """Write a token stream as olm-tokens-v1 shards (the format `olm-data tokenize` writes)."""
    n_rows = -(-len(stream) // seq_len)
    rows = np.zeros((n_rows, seq_len), dtype="<u2")
    rows.ravel()[: len(stream)] = stream
    (folder / "memmap").mkdir(parents=True, exist_ok=True)
    shards = []
    for i, start in enumerate(range(0, n_rows, rows_per_shard)):
        name = f"train-{i:05d}.bin"
        rows[start : start + rows_per_shard].tofile(folder / "memmap" / name)
        shards.append({"file": name, "rows": len(rows[start : start + rows_per_shard])})
    index = {
        "format": "olm-tokens-v1",
        "dtype": "uint16",
        "seq_len": seq_len,
        "vocab_size": vocab_size,
        "special_tokens": {"pad": 0, "unk": 1, "cls": 2, "sep": 3, "mask": 4},
        "shards": shards,
        "rows": n_rows,
        "tokens": int(len(stream)),
    }
    (folder / "memmap" / "index.json").write_text(json.dumps(index))
    return folder


def synthetic_stream(n_tokens: int, vocab_size: int, seed: int = 0) -> np.ndarray:
    """Packed `[CLS] doc [SEP]` documents of Zipf-distributed ids (lengths ~ real web docs, 50..2000 tokens)."""
    rng = np.random.default_rng(seed)
    ids = rng.zipf(1.2, size=n_tokens) % (vocab_size - len(SPECIALS)) + len(SPECIALS)
    cuts = np.cumsum(rng.integers(50, 2000, size=n_tokens // 50))
    cuts = cuts[cuts < n_tokens - 1]
    ids[cuts] = 3  # [SEP]
    ids[np.minimum(cuts + 1, n_tokens - 1)] = 2  # [CLS]
    ids[0] = 2
    return ids.astype("<u2")


# ---- the HF recipe ------------------------------------------------------------------------------------------
class _Rows(torch.utils.data.Dataset):
    def __init__(self, shards):
        self.shards = shards

    def __len__(self) -> int:
        return self.shards.rows

    def __getitem__(self, i: int) -> dict:
        return {"input_ids": torch.from_numpy(self.shards.read(np.array([i]))[0].astype(np.int64))}


def hf_recipe(data: Path, tok_dir: Path, seq_len: int, batch: int, steps: int, warm: int, model_name: str, device):
    """Tokens/s of transformers.Trainer + DataCollatorForLanguageModeling(0.15) on the same rows and model."""
    from transformers import AutoTokenizer, BertForMaskedLM, DataCollatorForLanguageModeling

    config, _ = import_trainer()
    from olm_data.trainer.data import TokenShards

    shards = TokenShards(data, seq_len)
    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    torch.manual_seed(0)
    preset = config.PRESETS[model_name]
    model = BertForMaskedLM(config.bert_config(preset, shards.vocab_size, 0, seq_len, 0.0))
    cuda = device.type == "cuda"
    marks: dict[int, float] = {}
    try:
        import accelerate  # noqa: F401
        from transformers import Trainer, TrainerCallback, TrainingArguments

        class Clock(TrainerCallback):
            def on_step_end(self, args, state, control, **kwargs):
                if state.global_step in (warm, steps):
                    if cuda:
                        torch.cuda.synchronize()
                    marks[state.global_step] = time.perf_counter()

        with tempfile.TemporaryDirectory() as out:
            args = TrainingArguments(
                output_dir=out, per_device_train_batch_size=batch, max_steps=steps, learning_rate=1e-4,
                warmup_steps=min(10, steps), bf16=cuda, logging_steps=10**9, save_strategy="no", report_to=[],
                dataloader_pin_memory=cuda, use_cpu=not cuda, disable_tqdm=True, seed=0,
            )  # fmt: skip
            Trainer(
                model=model, args=args, train_dataset=_Rows(shards), data_collator=collator, callbacks=[Clock()]
            ).train()
        kind = "transformers.Trainer"
    except ImportError:  # the Trainer needs accelerate; run what its training_step does
        model.to(device).train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=cuda)
        loader = torch.utils.data.DataLoader(
            _Rows(shards), batch_size=batch, shuffle=True, collate_fn=collator, pin_memory=cuda, drop_last=True
        )
        batches = iter(loader)
        for step in range(1, steps + 1):
            try:
                inputs = next(batches)
            except StopIteration:
                batches = iter(loader)
                inputs = next(batches)
            inputs = {k: v.to(device, non_blocking=True) for k, v in inputs.items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
                loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            if step in (warm, steps):
                if cuda:
                    torch.cuda.synchronize()
                marks[step] = time.perf_counter()
        kind = "HF recipe loop (no accelerate)"
    rate = (steps - warm) * batch * seq_len / (marks[steps] - marks[warm])
    del model
    return rate, kind


def ours(data: Path, tok_dir: Path, seq_len: int, batch: int, steps: int, warm: int, model_name: str, args, out: Path):
    config, train = import_trainer()
    cfg = config.TrainConfig(
        data=str(data), tokenizer=str(tok_dir), output=str(out), model=model_name, seq_len=seq_len, batch_size=batch,
        steps=steps, log_every=warm, eval_every=0, ckpt_every=0, eval_rows=0, device=args.device,
        compile=args.compile, tensorboard=False, warmup=min(10, steps // 2),
    )  # fmt: skip
    result = train.pretrain(cfg)
    return result["tokens_per_s"], result["flops_per_token"]


def benchmark(args) -> None:
    config, train = import_trainer()
    device = torch.device("cuda" if torch.cuda.is_available() and args.device != "cpu" else "cpu")
    cuda = device.type == "cuda"
    name = torch.cuda.get_device_name() if cuda else "cpu"
    peak = train.peak_flops(name, args.peak_tflops)
    # (seq, our batch, HF batch): GPU sizes follow ../shared/reference/gpu-anchor.md (HF OOMs at 1024 x 512)
    sizes = {128: (4096, 1024), 512: (1024, 128)} if cuda else {128: (32, 32), 512: (8, 8)}
    steps, warm = (args.steps or (70 if cuda else 12)), (args.warm or (20 if cuda else 3))
    preset = config.PRESETS[args.model]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tok_dir = tmp / "tok"
        synthetic_tokenizer(tok_dir, args.vocab)
        n_tokens = max(sizes[s][0] * s for s in args.seq) * (steps + 1) + 10_000
        data = write_packed(tmp / "data", synthetic_stream(n_tokens, args.vocab), 512, args.vocab)
        for seq in args.seq:
            our_batch = args.ours_batch or sizes[seq][0]
            hf_batch = args.hf_batch or sizes[seq][1]
            ours_rate, ours_flops = ours(
                data, tok_dir, seq, our_batch, steps, warm, args.model, args, tmp / f"run{seq}"
            )
            gc.collect()
            torch.cuda.empty_cache() if cuda else None
            hf_rate, kind = hf_recipe(data, tok_dir, seq, hf_batch, steps, warm, args.model, device)
            gc.collect()
            torch.cuda.empty_cache() if cuda else None
            hf_flops = train.flops_per_token(
                preset.layers, preset.hidden, preset.intermediate, args.vocab, seq, seq
            )  # head at every position
            rows.append((seq, our_batch, ours_rate, ours_flops, hf_batch, hf_rate, hf_flops, kind))

    def mfu(rate: float, flops: float) -> str:
        return f"{rate * flops / peak:.1%}" if peak else "n/a"

    print(f"\n{args.model} BERT, vocab {args.vocab}, {name}, torch {torch.__version__}; {steps - warm} timed steps")
    print("| seq | ours: batch | ours tok/s | ours MFU | HF: batch | HF tok/s | HF MFU | ratio | HF run as |")
    print("|---|---|---|---|---|---|---|---|---|")
    for seq, ob, orate, oflops, hb, hrate, hflops, kind in rows:
        print(
            f"| {seq} | {ob} | {orate:,.0f} | {mfu(orate, oflops)} | {hb} | {hrate:,.0f} | "
            f"{mfu(hrate, hflops)} | {orate / hrate:.1f}x | {kind} |"
        )
    if not peak:
        print("MFU: device peak unknown (pass --peak-tflops)")
    for seq, _, orate, oflops, *_ in rows:
        print(f"seq {seq}: ours {orate * oflops / 1e12:.3f} TFLOP/s achieved ({oflops / 1e6:.2f} MFLOP/token)")


# ---- real text ----------------------------------------------------------------------------------------------
def wiki_texts(path: Path) -> list[str]:
    """Article texts of a pages-articles export, crudely de-wikified (stdlib only; good enough for a loss curve)."""
    raw = bz2.open(path, "rt", encoding="utf-8").read()
    texts = []
    for page in re.findall(r"<page>(.*?)</page>", raw, flags=re.S):
        if "<ns>0</ns>" not in page or "<redirect" in page:
            continue
        match = re.search(r"<text[^>]*>(.*?)</text>", page, flags=re.S)
        if not match:
            continue
        text = html.unescape(match.group(1))
        for _ in range(5):  # nested templates, innermost first
            text = re.sub(r"\{\{[^{}]*\}\}", "", text)
        text = re.sub(r"\{\|.*?\|\}", "", text, flags=re.S)  # tables
        text = re.sub(r"<ref[^>]*/>|<ref.*?</ref>|<!--.*?-->", "", text, flags=re.S)
        text = re.sub(r"\[\[(?:File|Image|Category):[^\]]*\]\]", "", text)
        text = re.sub(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]", r"\1", text)
        text = re.sub(r"\[https?://\S+ ?([^\]]*)\]", r"\1", text)
        text = re.sub(r"<[^>]+>|'{2,}|^=+\s*|\s*=+$", "", text, flags=re.M)
        text = "\n".join(line for line in text.splitlines() if line.strip() and not line.startswith(("*", "|", "!")))
        if len(text) > 500:
            texts.append(text)
    return texts


def real_text(args) -> None:
    """Train on the Wikipedia sample: loss must fall and held-out accuracy must clear the unigram baseline."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    config, train = import_trainer()
    if not WIKI_SAMPLE.exists():
        print(f"skipped: {WIKI_SAMPLE} is absent")
        return
    texts = wiki_texts(WIKI_SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
        tok.normalizer = normalizers.BertNormalizer(lowercase=True)
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=args.vocab, special_tokens=SPECIALS))
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)]
        )
        names = ("pad_token", "unk_token", "cls_token", "sep_token", "mask_token")
        fast = BertTokenizerFast(tokenizer_object=tok, **dict(zip(names, SPECIALS, strict=True)))
        fast.save_pretrained(tmp / "tok")
        stream = np.array([t for text in texts for t in fast(text)["input_ids"]], dtype="<u2")
        data = write_packed(tmp / "data", stream, 128, len(fast))
        print(f"{len(texts)} articles, {len(stream):,} tokens, vocab {len(fast)}")
        cfg = config.TrainConfig(
            data=str(data), tokenizer=str(tmp / "tok"), output=str(tmp / "run"), model=args.model, seq_len=128,
            batch_size=args.ours_batch or 64, steps=args.steps or 600, warmup=0.06, log_every=50,
            eval_every=100, eval_rows=256, ckpt_every=0, device=args.device, compile=args.compile, tensorboard=False,
        )  # fmt: skip
        result = train.pretrain(cfg)
        print(
            f"\nreal text: loss {result['log'][0]['loss']:.3f} -> {result['loss']:.3f}; held-out loss "
            f"{result['eval_loss']:.3f} acc {result['eval_acc']:.3f} | unigram loss {result['unigram_loss']:.3f} "
            f"acc {result['unigram_acc']:.3f} | {result['tokens_per_s']:,.0f} tok/s"
        )
        print("fill-mask:", [(p["token_str"], round(p["score"], 3)) for p in _fill(tmp / "run")])


def loader_speed(args) -> None:
    """Tokens/s the data path alone delivers (memmap -> shuffled rows -> host batch): the ceiling it puts on training."""
    config, _ = import_trainer()
    from olm_data.trainer import data as D

    batch, steps, rows = args.ours_batch or 1024, args.steps or 50, 262_144  # 256 MiB of uint16 at 512
    with tempfile.TemporaryDirectory() as tmp:
        data = write_packed(Path(tmp), synthetic_stream(rows * 512, args.vocab), 512, args.vocab)
        shards = D.TokenShards(data)
        order = D.RowOrder(shards.rows, 2048, seed=0)
        loader = D.BatchLoader(shards, order, batch, batch, [0], 0, steps + 5, pin=torch.cuda.is_available())
        for _ in range(5):
            next(loader)
        start = time.perf_counter()
        for _ in range(steps):
            next(loader)
        rate = steps * batch * 512 / (time.perf_counter() - start)
        loader.close()
    print(f"data path: {rate / 1e6:.1f} M tokens/s ({batch} random rows x 512 per batch, one reader thread)")


def _fill(run: Path) -> list[dict]:
    from transformers import pipeline

    return pipeline("fill-mask", model=str(run), device="cpu")("The Covid-19 [MASK] is global.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seq", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--vocab", type=int, default=None, help="vocabulary (30522; 8192 with --real-text)")
    parser.add_argument("--ours-batch", type=int)
    parser.add_argument("--hf-batch", type=int)
    parser.add_argument("--steps", type=int, help="steps per run (warm-up included)")
    parser.add_argument("--warm", type=int, help="untimed warm-up steps (compilation)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--peak-tflops", type=float)
    parser.add_argument("--real-text", action="store_true", help="train on the Wikipedia sample instead")
    parser.add_argument("--loader", action="store_true", help="time the data path alone")
    args = parser.parse_args()
    if args.loader:
        args.vocab = args.vocab or 30522
        loader_speed(args)
    elif args.real_text:
        args.vocab = args.vocab or 8192
        real_text(args)
    else:
        args.vocab = args.vocab or 30522
        benchmark(args)


if __name__ == "__main__":
    main()
