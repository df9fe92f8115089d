"""Training data for the MLM loop: memmapped uint16 token rows in, masked batches on the device out.

Format read here (written by `olm-data tokenize`): `DATA/memmap/index.json` plus raw little-endian uint16
shards of shape (rows, seq_len), rows packed as `[CLS] doc [SEP][CLS] doc [SEP]...`:

    {"format": "olm-tokens-v1", "dtype": "uint16", "seq_len": 512, "vocab_size": V,
     "special_tokens": {"pad": 0, "unk": 1, "cls": 2, "sep": 3, "mask": 4},
     "shards": [{"file": "train-00000.bin", "rows": n}], "rows": total, "tokens": non_pad_tokens}

Every choice below serves the same three goals: no host work on the training step's critical path, static
tensor shapes for `torch.compile`, and an order of rows and masks that is a pure function of (seed, step) so a
resumed or re-sharded run sees exactly the same batches.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from olm_data.errors import UsageError
from olm_data.trainer.pack import read_token_index

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100  # label of a picked position that must not count (a special token in a short row)


class TokenShards:
    """Random access to the token rows of a tokenized data folder, optionally cut into shorter rows.

    Args:
        path: the data folder (holding `memmap/index.json`) or the `memmap/` folder itself.
        seq_len: row length to train on; must divide the stored row length (a packed 512-row is four valid
            128-rows). None keeps the stored length.
    """

    def __init__(self, path: str | Path, seq_len: int | None = None):
        index_path, index = read_token_index(path)
        folder = index_path.parent
        self.folder = folder
        self.index = index
        self.data_seq_len = int(index["seq_len"])
        self.seq_len = int(seq_len or self.data_seq_len)
        if self.data_seq_len % self.seq_len:
            raise UsageError(f"seq_len {self.seq_len} must divide the data's row length {self.data_seq_len}")
        self.split = self.data_seq_len // self.seq_len
        self.vocab_size = int(index["vocab_size"])
        self.special_tokens: dict[str, int] = {k: int(v) for k, v in index["special_tokens"].items()}
        for name in ("pad", "mask"):
            if name not in self.special_tokens:
                raise UsageError(f"{index_path}: special_tokens lacks {name!r}")

        self.files: list[Path] = []
        shard_rows = []
        row_bytes = 2 * self.data_seq_len
        for shard in index["shards"]:
            file = folder / shard["file"]
            if not file.exists():
                raise UsageError(f"shard {file} listed in {index_path} is missing")
            rows = int(shard["rows"])
            complete = file.stat().st_size // row_bytes
            if complete != rows:  # a truncated copy: train on the complete rows, say so once
                logger.warning(
                    "%s: index says %d rows, file holds %d complete rows; using %d",
                    file,
                    rows,
                    complete,
                    min(rows, complete),
                )
                rows = min(rows, complete)
            if rows:
                self.files.append(file)
                shard_rows.append(rows)
        if not shard_rows:
            raise UsageError(f"{index_path} lists no token rows")
        self._starts = np.concatenate([[0], np.cumsum(shard_rows)]).astype(np.int64)
        self.data_rows = int(self._starts[-1])
        self.rows = self.data_rows * self.split  # rows of length seq_len
        self._maps: list[np.memmap] | None = None  # opened lazily so the object pickles cheaply

    @property
    def special_ids(self) -> list[int]:
        return sorted(set(self.special_tokens.values()))

    def _memmaps(self) -> list[np.memmap]:
        if self._maps is None:
            self._maps = [
                np.memmap(f, dtype="<u2", mode="r", shape=(int(n), self.data_seq_len))
                for f, n in zip(self.files, np.diff(self._starts), strict=True)
            ]
        return self._maps

    def read(self, rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Rows (indices in [0, self.rows)) as a (len(rows), seq_len) uint16 array, in the order given."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.seq_len), dtype=np.uint16) if out is None else out
        data_row, part = np.divmod(rows, self.split)
        shard = np.searchsorted(self._starts, data_row, side="right") - 1
        maps = self._memmaps()
        for s in np.unique(shard):
            sel = np.nonzero(shard == s)[0]
            block = maps[s][data_row[sel] - self._starts[s]]  # (k, data_seq_len), one copy out of the page cache
            if self.split == 1:
                out[sel] = block
            else:
                block = block.reshape(len(sel), self.split, self.seq_len)
                out[sel] = block[np.arange(len(sel)), part[sel]]
        return out


# ---- a shuffled order that costs no memory ------------------------------------------------------------------
# Why our own: the loop needs "which row is at position p of epoch e" for any p (each rank reads its own slice,
# a resumed run starts mid-epoch) over up to billions of rows. np.random.permutation would hold 8 bytes per row
# per epoch on every rank; a keyed Feistel network is a bijection computed on the fly.
_M64 = (1 << 64) - 1


@functools.lru_cache(maxsize=4096)
def _key(*parts: int) -> int:
    """A 64-bit key mixed from small integers (numpy's SeedSequence does the hashing)."""
    return int(np.random.SeedSequence([int(p) & _M64 for p in parts]).generate_state(1, np.uint64)[0])


def _mix(x: np.ndarray, key: int) -> np.ndarray:
    """splitmix64 finalizer of x + key: a fast, well-mixed round function."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(key)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def permute(index: np.ndarray, n: int, key: int, rounds: int = 4) -> np.ndarray:
    """Map positions in [0, n) to a keyed pseudo-random permutation of [0, n).

    A balanced Feistel network permutes [0, 4^k) (the smallest power of 4 >= n); values that land outside
    [0, n) are mapped again until they fall inside ("cycle walking"), which keeps it a bijection of [0, n).
    """
    index = np.asarray(index, dtype=np.uint64)
    if n <= 1:
        return index.astype(np.int64)
    half = max(1, ((n - 1).bit_length() + 1) // 2)
    mask = np.uint64((1 << half) - 1)
    shift = np.uint64(half)
    round_keys = [_key(key, r) for r in range(rounds)]

    def feistel(x: np.ndarray) -> np.ndarray:
        left, right = x >> shift, x & mask
        for k in round_keys:
            left, right = right, left ^ (_mix(right, k) & mask)
        return (left << shift) | right

    out = feistel(index)
    outside = out >= np.uint64(n)
    while outside.any():
        out[outside] = feistel(out[outside])
        outside = out >= np.uint64(n)
    return out.astype(np.int64)


class RowOrder:
    """Which row every training position and every held-out slot reads.

    A fixed permutation of all rows puts the last `eval_rows` in the held-out set (a deterministic slice that
    is spread over the whole corpus, not its tail); training position p reads train slot
    `permute(p % n_train, key=(seed, epoch))` with epoch = p // n_train, a fresh shuffle every epoch.
    """

    def __init__(self, rows: int, eval_rows: int, seed: int):
        self.rows = rows
        self.n_eval = max(0, min(eval_rows, rows // 10))
        self.n_train = rows - self.n_eval
        self.seed = seed
        self._base_key = _key(seed, 0x0B5E)

    def train_rows(self, positions: np.ndarray) -> np.ndarray:
        positions = np.asarray(positions, dtype=np.int64)
        epoch, slot = np.divmod(positions, self.n_train)
        shuffled = np.empty_like(slot)
        for e in np.unique(epoch):
            sel = epoch == e
            shuffled[sel] = permute(slot[sel], self.n_train, _key(self.seed, 1 + int(e)))
        return permute(shuffled, self.rows, self._base_key)

    def eval_rows(self) -> np.ndarray:
        return permute(np.arange(self.n_train, self.rows), self.rows, self._base_key)


def mask_seed(seed: int, step: int, chunk: int) -> int:
    """Seed of the masks of micro-batch `chunk` of optimizer step `step` (step -1: the held-out set).

    Masks depend on (seed, step, chunk) only, never on how many ranks share the batch or on RNG history, so
    resumed and re-sharded runs draw identical masks.
    """
    return _key(seed, step + 1, chunk, 0x3A5C) >> 1


class BatchLoader:
    """This rank's micro-batches, read ahead of the loop by a background thread.

    Step s covers training positions [s*B, (s+1)*B) of the global order; its micro-batch `chunk` is the slice
    [s*B + chunk*b, s*B + (chunk+1)*b). Each host batch is gathered from the memmaps straight into a pinned
    buffer (on CUDA), so the loop's `.to(device, non_blocking=True)` copy overlaps compute. The buffers hold
    int16 (same bytes as uint16, which CUDA kernels support poorly); `to_device` restores the values.

    A fixed ring of `prefetch + 2` buffers is reused (pinning memory is slow, and a fresh pinned buffer per
    micro-batch grows the host cache): a batch stays valid until the next `next()`, which hands its buffer back
    with a CUDA event, and the reader waits for that event before overwriting it, so an in-flight copy is safe.

    Args:
        shards: the token rows.
        order: the row order.
        global_batch: rows per optimizer step (B).
        micro_batch: rows per micro-batch (b).
        chunks: which micro-batches of every step this rank reads, in order.
        start_step, end_step: steps to read, end excluded.
        pin: use pinned host memory (CUDA only).
        prefetch: micro-batches read ahead.
    """

    def __init__(
        self,
        shards: TokenShards,
        order: RowOrder,
        global_batch: int,
        micro_batch: int,
        chunks: Sequence[int],
        start_step: int,
        end_step: int,
        pin: bool = False,
        prefetch: int = 4,
    ):
        self.shards, self.order = shards, order
        self.global_batch, self.micro_batch, self.chunks = global_batch, micro_batch, list(chunks)
        self.start_step, self.end_step, self.pin = start_step, end_step, pin
        self._queue: queue.Queue = queue.Queue(maxsize=prefetch)
        self._free: queue.Queue = queue.Queue()  # (buffer, event of its last copy or None)
        for _ in range(prefetch + 2):
            self._free.put((torch.empty((micro_batch, shards.seq_len), dtype=torch.int16, pin_memory=pin), None))
        self._held: torch.Tensor | None = None  # the buffer the loop holds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="olm-batch-loader", daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        try:
            for step in range(self.start_step, self.end_step):
                for chunk in self.chunks:
                    first = step * self.global_batch + chunk * self.micro_batch
                    rows = self.order.train_rows(np.arange(first, first + self.micro_batch))
                    host, copied = self._take_free()
                    if host is None:
                        return
                    if copied is not None:
                        copied.synchronize()  # the device has read this buffer: safe to overwrite
                    self.shards.read(rows, out=host.numpy().view(np.uint16))
                    while not self._stop.is_set():
                        try:
                            self._queue.put((step, chunk, host), timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if self._stop.is_set():
                        return
        except BaseException as err:  # surfaced in the loop's thread by __next__
            self._queue.put(err)

    def _take_free(self) -> tuple[torch.Tensor | None, torch.cuda.Event | None]:
        while not self._stop.is_set():
            try:
                return self._free.get(timeout=0.1)
            except queue.Empty:
                continue
        return None, None

    def __iter__(self) -> Iterator[tuple[int, int, torch.Tensor]]:
        return self

    def __next__(self) -> tuple[int, int, torch.Tensor]:
        if self._held is not None:  # the loop has queued its copy of the previous batch: hand the buffer back
            event = None
            if self.pin and torch.cuda.is_available():
                event = torch.cuda.Event()
                event.record()
            self._free.put((self._held, event))
            self._held = None
        item = self._queue.get()
        if isinstance(item, BaseException):
            raise item
        self._held = item[2]
        return item

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def to_device(host: torch.Tensor, device: torch.device) -> torch.Tensor:
    """int16 host rows -> int64 token ids on the device (asynchronous when the host buffer is pinned)."""
    return host.to(device, non_blocking=True).long() & 0xFFFF


class MaskingTables:
    """Per-vocabulary lookups the masking needs, built once on the device."""

    def __init__(self, vocab_size: int, special_ids: Sequence[int], mask_id: int, device: torch.device):
        self.is_special = torch.zeros(vocab_size, dtype=torch.bool, device=device)
        self.is_special[list(special_ids)] = True
        # random replacements are drawn from ordinary tokens only
        self.replace_ids = torch.nonzero(~self.is_special).flatten()
        self.mask_id = mask_id


def mask_tokens(
    ids: torch.Tensor, n_mask: int, tables: MaskingTables, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """BERT masking with a fixed number of predicted positions per row, entirely on the ids' device.

    Picks the `n_mask` non-special positions with the largest uniform noise (top-k), then replaces 80% of them
    with [MASK], 10% with a random ordinary token and leaves 10% unchanged. A row with fewer than `n_mask`
    ordinary tokens (the padded tail of a shard) gets special positions too, with label IGNORE_INDEX and its
    token untouched, so every shape stays (B, n_mask).

    Returns:
        inputs (B, L), positions (B, n_mask) of the predicted tokens, labels (B, n_mask).
    """
    batch, _ = ids.shape
    maskable = ~tables.is_special[ids]
    noise = torch.rand(ids.shape, device=ids.device, generator=generator).masked_fill_(~maskable, -1.0)
    positions = noise.topk(n_mask, dim=1, sorted=False).indices
    originals = ids.gather(1, positions)
    valid = maskable.gather(1, positions)
    choice = torch.rand((batch, n_mask), device=ids.device, generator=generator)
    pick = torch.randint(len(tables.replace_ids), (batch, n_mask), device=ids.device, generator=generator)
    replaced = torch.where(
        choice < 0.8, tables.mask_id, torch.where(choice < 0.9, tables.replace_ids[pick], originals)
    )
    inputs = ids.scatter(1, positions, torch.where(valid, replaced, originals))
    labels = originals.masked_fill(~valid, IGNORE_INDEX)
    return inputs, positions, labels


def unigram_baseline(train: np.ndarray, heldout: np.ndarray, vocab_size: int, special_ids: Sequence[int]) -> dict:
    """Masked-token loss and accuracy of a model that ignores context: the bar held-out MLM must clear.

    Token frequencies (add-one smoothed) come from a sample of training rows; scored on the held-out rows'
    ordinary tokens, which is what a masked position holds.
    """
    special = np.zeros(vocab_size, dtype=bool)
    special[list(special_ids)] = True
    train_tokens = train.ravel().astype(np.int64)
    counts = np.bincount(train_tokens[~special[train_tokens]], minlength=vocab_size)[:vocab_size] + 1.0
    counts[special] = 0
    log_p = np.log(counts / counts.sum(), where=counts > 0, out=np.full(vocab_size, -np.inf))
    tokens = heldout.ravel().astype(np.int64)
    tokens = tokens[~special[tokens]]
    if not len(tokens):
        return {"unigram_loss": None, "unigram_acc": None}
    return {"unigram_loss": float(-log_p[tokens].mean()), "unigram_acc": float((tokens == counts.argmax()).mean())}


class SparseMLMLoss(torch.nn.Module):
    """BertForMaskedLM's loss with the prediction head run on the masked positions only.

    The other half of fixed-count masking: the encoder sees every position, but the head (transform plus the
    H x vocab decoder, ~89% of BERT-Tiny's FLOPs when applied everywhere) sees only the (B, n_mask) gathered
    positions, and the shapes stay static for `torch.compile`. Wrapping the model in a module (rather than a
    function) lets DistributedDataParallel hook its forward.

    Returns from forward: mean cross-entropy over the valid labels, number of correct argmax predictions,
    number of valid labels.
    """

    def __init__(self, mlm: torch.nn.Module):
        super().__init__()
        self.mlm = mlm

    def forward(
        self, input_ids: torch.Tensor, positions: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.mlm.bert(input_ids=input_ids).last_hidden_state  # (B, L, H)
        picked = hidden.gather(1, positions.unsqueeze(-1).expand(-1, -1, hidden.size(-1)))  # (B, K, H)
        logits = self.mlm.cls(picked).flatten(0, 1).float()  # (B*K, V), fp32 for a stable softmax
        labels = labels.flatten()
        valid = labels != IGNORE_INDEX
        count = valid.sum()
        loss = torch.nn.functional.cross_entropy(logits, labels, ignore_index=IGNORE_INDEX, reduction="sum")
        correct = ((logits.argmax(-1) == labels) & valid).sum()
        return loss / count.clamp(min=1), correct, count
