"""Pretraining throughput: our trainer vs the Hugging Face Trainer recipe, same packed data, same model, one process.

Run by hand (not a test):
    python benchmarks/trainer.py                    # GPU when present (tiny BERT, seq 128 and 512), else CPU sizes
    python benchmarks/trainer.py --seq 512 --ours-batch 2048 --hf-batch 128
    python benchmarks/trainer.py --real-text        # loss and held-out accuracy on the Wikipedia sample (CPU ok)

Ours = `olm_data.trainer.train.pretrain` end to end: memmapped shards, pinned buffers, device masking, sparse MLM
head, bf16 + compile on CUDA, fused AdamW. HF = `transformers.Trainer` + `DataCollatorForLanguageModeling(0.15)`
(bf16 on CUDA), reading the same rows. The Trainer needs `accelerate`; `--hf trainer` insists on it, `--hf loop`
runs a hand-written loop with the same collator and `BertForMaskedLM(labels=...)` forward, and the default
`--hf auto` takes the Trainer when it can and otherwise the loop, printing plainly that the row is NOT the HF
Trainer. Both use the same BertConfig (no dropout). Throughput counts every position of every row, after warm-up.

benchmarks/gpu_proof.sh also calls the checks below, each writing one JSON file: --loss-check (sparse vs dense
loss on the device, fp32 and bf16), --sync-check (host syncs per training step), --pretrain-proof (a short real
pretraining run with held-out MLM vs the unigram baseline), --glue-proof (GLUE, pretrained vs random init of the
same shape) and --table (the markdown table of all of them).
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


HF_TRAINER = "transformers.Trainer"
HF_LOOP = "NOT the HF Trainer: hand-written loop with its collator (accelerate missing)"


def hf_recipe(
    data: Path,
    tok_dir: Path,
    seq_len: int,
    batch: int,
    steps: int,
    warm: int,
    model_name: str,
    device,
    hf: str = "auto",
):
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
    try:  # an import, not find_spec: a wheel that is there but cannot import must not pass for the Trainer
        import accelerate  # noqa: F401

        has_accelerate = True
    except ImportError:
        has_accelerate = False
    workers = 4 if cuda else 0  # the usual recipe: rows read and collated in DataLoader workers on a GPU box
    if hf == "trainer" and not has_accelerate:
        raise SystemExit("--hf trainer: transformers.Trainer needs `accelerate`, which is not installed")
    if hf != "loop" and has_accelerate:
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
                dataloader_pin_memory=cuda, dataloader_num_workers=workers, use_cpu=not cuda, disable_tqdm=True, seed=0,
            )  # fmt: skip
            Trainer(
                model=model, args=args, train_dataset=_Rows(shards), data_collator=collator, callbacks=[Clock()]
            ).train()
        kind = HF_TRAINER
    else:  # what the Trainer's training_step does, without the Trainer
        print(f"HF baseline: {HF_LOOP}", flush=True)
        model.to(device).train()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=cuda)
        loader = torch.utils.data.DataLoader(
            _Rows(shards), batch_size=batch, shuffle=True, collate_fn=collator, pin_memory=cuda, drop_last=True,
            num_workers=workers,
        )  # fmt: skip
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
        kind = HF_LOOP if not has_accelerate else "NOT the HF Trainer: hand-written loop (--hf loop)"
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
        if args.data:  # real packed rows (gpu_proof.sh --prepare) and their tokenizer
            data, tok_dir = Path(args.data), Path(args.tokenizer)
            source = f"real text ({data})"
        else:
            tok_dir = tmp / "tok"
            synthetic_tokenizer(tok_dir, args.vocab)
            n_tokens = max(sizes[s][0] * s for s in args.seq) * (steps + 1) + 10_000
            data = write_packed(tmp / "data", synthetic_stream(n_tokens, args.vocab), 512, args.vocab)
            source = "synthetic Zipf rows"
        from olm_data.trainer.data import TokenShards

        vocab = TokenShards(data).vocab_size
        for seq in args.seq:
            our_batch = args.ours_batch or sizes[seq][0]
            hf_batch = args.hf_batch or sizes[seq][1]
            ours_rate, ours_flops = ours(
                data, tok_dir, seq, our_batch, steps, warm, args.model, args, tmp / f"run{seq}"
            )
            gc.collect()
            torch.cuda.empty_cache() if cuda else None
            hf_rate, kind = hf_recipe(data, tok_dir, seq, hf_batch, steps, warm, args.model, device, args.hf)
            gc.collect()
            torch.cuda.empty_cache() if cuda else None
            hf_flops = train.flops_per_token(
                preset.layers, preset.hidden, preset.intermediate, vocab, seq, seq
            )  # head at every position
            rows.append((seq, our_batch, ours_rate, ours_flops, hf_batch, hf_rate, hf_flops, kind))

    def mfu(rate: float, flops: float) -> float | None:
        return rate * flops / peak if peak else None

    def pct(x: float | None) -> str:
        return f"{x:.1%}" if x is not None else "n/a"

    print(
        f"\n{args.model} BERT, vocab {vocab}, {source}, {name}, torch {torch.__version__}; {steps - warm} timed steps"
    )
    print("| seq | ours: batch | ours tok/s | ours MFU | HF: batch | HF tok/s | HF MFU | ratio | HF run as |")
    print("|---|---|---|---|---|---|---|---|---|")
    for seq, ob, orate, oflops, hb, hrate, hflops, kind in rows:
        print(
            f"| {seq} | {ob} | {orate:,.0f} | {pct(mfu(orate, oflops))} | {hb} | {hrate:,.0f} | "
            f"{pct(mfu(hrate, hflops))} | {orate / hrate:.1f}x | {kind} |"
        )
    if not peak:
        print("MFU: device peak unknown (pass --peak-tflops)")
    for seq, _, orate, oflops, *_ in rows:
        print(f"seq {seq}: ours {orate * oflops / 1e12:.3f} TFLOP/s achieved ({oflops / 1e6:.2f} MFLOP/token)")
    keys = ("seq", "ours_batch", "ours_tok_s", "ours_flops_per_token", "hf_batch", "hf_tok_s", "hf_flops_per_token")
    _write_json(args.json, {
        "device": name, "torch": torch.__version__, "model": args.model, "vocab": vocab, "data": source,
        "timed_steps": steps - warm, "rows": [
            {**dict(zip(keys, r[:7], strict=True)), "hf_run_as": r[7], "ours_mfu": mfu(r[2], r[3]),
             "hf_mfu": mfu(r[5], r[6]), "ratio": r[2] / r[5]} for r in rows
        ],
    })  # fmt: skip


def _write_json(path: str | None, result: dict) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(result, indent=2) + "\n")


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


# ---- the GPU proof's checks (benchmarks/gpu_proof.sh) -----------------------------------------------------
def _device(args) -> torch.device:
    return torch.device("cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu")


def loss_check(args) -> None:
    """Sparse head loss (ours) vs BertForMaskedLM's dense loss on the same masked batch, fp32 and bf16 autocast."""
    from transformers import BertForMaskedLM

    config, _ = import_trainer()
    from olm_data.trainer import data as D

    device = _device(args)
    vocab, seq, batch = 30522, 128, (64 if device.type == "cuda" else 8)
    torch.manual_seed(0)
    mlm = BertForMaskedLM(config.bert_config(config.PRESETS[args.model], vocab, 0, seq, 0.0)).to(device).eval()
    sparse = D.SparseMLMLoss(mlm)
    tables = D.MaskingTables(vocab, range(5), 4, device)
    gen = torch.Generator(device=device).manual_seed(1)
    ids = torch.randint(5, vocab, (batch, seq), device=device, generator=gen)
    inputs, positions, labels = D.mask_tokens(ids, round(0.15 * seq), tables, gen)
    dense_labels = torch.full_like(ids, D.IGNORE_INDEX).scatter(1, positions, labels)
    rows = {}
    for dtype in ("fp32", "bf16"):
        with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=dtype == "bf16"):
            ours_loss = float(sparse(inputs, positions, labels)[0])
            dense_loss = float(mlm(input_ids=inputs, labels=dense_labels).loss)
        rows[dtype] = {"sparse": ours_loss, "dense": dense_loss, "abs_diff": abs(ours_loss - dense_loss)}
        print(f"{dtype}: sparse {ours_loss:.6f} dense {dense_loss:.6f} |diff| {abs(ours_loss - dense_loss):.2e}")
    _write_json(args.json, {"device": str(device), "model": args.model, "batch": batch, "seq": seq, **rows})


def sync_check(args) -> None:
    """Host-device syncs per training step of the real loop: torch.cuda.set_sync_debug_mode counts them.

    Two runs that differ only in length (eager, so compilation does not blur the count); their difference in
    synchronising calls divided by the difference in steps is the per-step count (the loop's target: 0).
    """
    import warnings

    config, train = import_trainer()
    if _device(args).type != "cuda":
        print("sync check: needs CUDA (skipped on CPU)")
        _write_json(args.json, {"device": "cpu", "syncs_per_step": None, "note": "needs CUDA"})
        return
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for steps in (8, 16):
            cfg = config.TrainConfig(
                data=args.data, tokenizer=args.tokenizer, output=f"{tmp}/run{steps}", model=args.model, seq_len=128,
                batch_size=256, steps=steps, log_every=steps, eval_every=0, ckpt_every=0, eval_rows=0, compile=False,
                tensorboard=False, warmup=1,
            )  # fmt: skip
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                torch.cuda.set_sync_debug_mode("warn")
                try:
                    train.pretrain(cfg)
                finally:
                    torch.cuda.set_sync_debug_mode(0)
            counts[steps] = sum("synchroniz" in str(w.message) for w in caught)
    per_step = (counts[16] - counts[8]) / 8
    print(f"host syncs: {counts} in runs of 8 and 16 steps -> {per_step:g} per step")
    _write_json(args.json, {"device": torch.cuda.get_device_name(), "syncs": counts, "syncs_per_step": per_step})


def pretrain_proof(args) -> None:
    """A short pretraining run on the prepared real text: held-out MLM loss/accuracy vs the unigram baseline."""
    config, train = import_trainer()
    cuda = _device(args).type == "cuda"
    cfg = config.TrainConfig(
        data=args.data, tokenizer=args.tokenizer, output=args.output, model=args.model, seq_len=128,
        batch_size=args.ours_batch or (256 if cuda else 32), steps=args.steps or (2000 if cuda else 150),
        warmup=0.06, log_every=50 if cuda else 25, eval_every=500 if cuda else 50, eval_rows=1024 if cuda else 256,
        ckpt_every=0, device=args.device, compile=args.compile, tensorboard=False,
    )  # fmt: skip
    result = train.pretrain(cfg)
    keys = ("steps", "tokens", "loss", "acc", "eval_loss", "eval_acc", "unigram_loss", "unigram_acc")
    row = {k: result[k] for k in keys} | {
        "tokens_per_s": result["tokens_per_s"], "mfu": result["mfu"], "wall_s": result["wall_s"],
        "device": result["device"], "model": args.model, "output": args.output,
    }  # fmt: skip
    print(json.dumps(row))
    _write_json(args.json, row)


def glue_proof(args) -> None:
    """GLUE dev scores of the pretrained model vs a random init of the same shape (same tokenizer, same grid)."""
    from transformers import AutoConfig, AutoTokenizer, BertForMaskedLM

    import_trainer()
    from olm_data.trainer.glue import GlueConfig, run_glue

    cuda = _device(args).type == "cuda"
    pretrained = Path(args.output)
    random_dir = pretrained.parent / (pretrained.name + "-random-init")
    torch.manual_seed(0)
    BertForMaskedLM(AutoConfig.from_pretrained(pretrained)).save_pretrained(random_dir)
    AutoTokenizer.from_pretrained(pretrained).save_pretrained(random_dir)
    results = {}
    for name, model in (("pretrained", pretrained), ("random_init", random_dir)):
        cfg = GlueConfig(
            model=str(model), data_dir=args.glue_dir, tasks=["sst2", "mrpc", "stsb", "rte"],
            learning_rates=(1e-4, 3e-4) if cuda else (3e-4,), epochs=3 if cuda else 2,
            max_train_examples=10000 if cuda else 400, max_eval_examples=None if cuda else 200,
            device=args.device, output=str(model / "eval"), update_card=False,
        )  # fmt: skip
        summary = run_glue(cfg)
        results[name] = summary["results"]
        print(name, json.dumps(summary["results"]), f"{summary['seconds']:.0f}s", flush=True)
    _write_json(args.json, {"protocol": "dev, best lr of the grid", "cuda": cuda, **results})


def proof_table(args) -> None:
    """The markdown table of every check's JSON in the proof folder (missing or failed steps are said so)."""
    out = Path(args.table)

    def load(name: str) -> dict | None:
        path = out / f"{name}.json"
        return json.loads(path.read_text()) if path.exists() else None

    def num(x, fmt: str = "{:.4f}") -> str:
        return fmt.format(x) if isinstance(x, int | float) else "n/a"

    lines = ["| check | result |", "|---|---|"]
    env = (out / "env.txt").read_text().strip().splitlines() if (out / "env.txt").exists() else []
    lines.append(f"| environment | {'; '.join(env[:3]).replace('|', '/') or 'missing'} |")
    loss = load("loss_check")
    for dtype in ("fp32", "bf16"):
        if loss:
            r = loss[dtype]
            text = f"sparse {num(r['sparse'])} vs dense {num(r['dense'])}, abs diff {num(r['abs_diff'], '{:.2e}')}"
        else:
            text = "missing (step failed or timed out)"
        lines.append(f"| sparse vs dense loss, {dtype} ({loss and loss['device']}) | {text} |")
    sync = load("sync_check")
    lines.append(f"| host syncs per step | {num(sync and sync['syncs_per_step'], '{:g}') if sync else 'missing'} |")
    for seq in (128, 512):
        bench = load(f"throughput_{seq}")
        if not bench:
            lines.append(f"| seq {seq}: ours vs HF | missing (step failed or timed out) |")
            continue
        r = bench["rows"][0]
        lines.append(
            f"| seq {seq}: ours vs HF ({bench['device']}) | ours {r['ours_tok_s']:,.0f} tok/s (batch {r['ours_batch']},"
            f" MFU {num(r['ours_mfu'], '{:.1%}')}) vs {r['hf_tok_s']:,.0f} tok/s (batch {r['hf_batch']}, MFU "
            f"{num(r['hf_mfu'], '{:.1%}')}) = {r['ratio']:.1f}x; HF run as: {r['hf_run_as']} |"
        )
    pre = load("pretrain")
    if pre:
        lines.append(
            f"| pretraining ({pre['model']}, {pre['steps']} steps, {pre['tokens']:,} tokens, {pre['device']}) | "
            f"held-out MLM loss {num(pre['eval_loss'])} acc {num(pre['eval_acc'])} vs unigram loss "
            f"{num(pre['unigram_loss'])} acc {num(pre['unigram_acc'])}; {num(pre['tokens_per_s'], '{:,.0f}')} tok/s, "
            f"{num(pre['wall_s'], '{:.0f}')} s |"
        )
    else:
        lines.append("| pretraining | missing (step failed or timed out) |")
    glue = load("glue")
    if glue:
        for key in glue["pretrained"]:
            lines.append(
                f"| GLUE {key} | pretrained {num(glue['pretrained'][key])} vs random init "
                f"{num(glue['random_init'].get(key))} |"
            )
    else:
        lines.append("| GLUE | missing (step failed or timed out) |")
    table = "\n".join(lines) + "\n"
    (out / "table.md").write_text(table)
    print(table)


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
    parser.add_argument("--hf", choices=["auto", "trainer", "loop"], default="auto", help="HF baseline (see above)")
    parser.add_argument("--data", help="packed rows to benchmark/pretrain on (default: synthetic)")
    parser.add_argument("--tokenizer", help="tokenizer folder of --data")
    parser.add_argument("--output", help="run folder of --pretrain-proof (and the model --glue-proof reads)")
    parser.add_argument("--glue-dir", default=str(ROOT.parent / "shared" / "data" / "glue"))
    parser.add_argument("--json", help="write the result here")
    checks = parser.add_mutually_exclusive_group()
    for flag in ("--loss-check", "--sync-check", "--pretrain-proof", "--glue-proof"):
        checks.add_argument(flag, action="store_true")
    checks.add_argument("--table", metavar="OUT", help="markdown table of the proof folder OUT")
    args = parser.parse_args()
    checks = {"loss_check": loss_check, "sync_check": sync_check, "pretrain_proof": pretrain_proof}
    checks |= {"glue_proof": glue_proof}
    chosen = [fn for flag, fn in checks.items() if getattr(args, flag)]
    if args.table:
        proof_table(args)
    elif chosen:
        chosen[0](args)
    elif args.loader:
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
