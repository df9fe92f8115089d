"""The fixed special tokens and loading a saved tokenizer: what the packer and the GPU image need from tokenizer.py.

Only `tokenizers` is needed (and only inside load_tokenizer).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from olm_data.errors import UsageError

if TYPE_CHECKING:
    from tokenizers import Tokenizer

# Fixed ids: [PAD] is 0 so that `BertConfig().pad_token_id` (default 0) and zero-filled buffers are padding,
# never a real token. Everything that needs an id imports it from here.
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = 0, 1, 2, 3, 4
SPECIAL_TOKENS: dict[str, str] = {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}
SPECIAL_TOKEN_IDS: dict[str, int] = {"pad": PAD_ID, "unk": UNK_ID, "cls": CLS_ID, "sep": SEP_ID, "mask": MASK_ID}


def tokenizer_json_path(path: str | os.PathLike) -> Path:
    """`tok/` or `tok/tokenizer.json` -> the tokenizer.json file; a clear UsageError when it is missing."""
    p = Path(path)
    file = p / "tokenizer.json" if p.is_dir() else p
    if not file.is_file():
        raise UsageError(
            f"no tokenizer at {p}: expected a folder with tokenizer.json "
            "(train one with `olm-data tokenizer train --input CORPUS --output tok/`)"
        )
    return file


def load_tokenizer(path: str | os.PathLike) -> Tokenizer:
    """Load a saved tokenizer with the `tokenizers` library only (what the packer and the GPU image use)."""
    from tokenizers import Tokenizer

    file = tokenizer_json_path(path)
    try:
        return Tokenizer.from_file(str(file))
    except Exception as e:  # noqa: BLE001 - surface a corrupt file as a user error, not a Rust traceback
        raise UsageError(f"cannot load tokenizer {file}: {e}") from e
