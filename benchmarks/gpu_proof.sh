#!/usr/bin/env bash
# GPU proof of the trainer (issue 17): one script, every step time-boxed, everything written into $OUT.
#
#   bash benchmarks/gpu_proof.sh --prepare                 # CPU side, once: corpus -> vocab -> packed uint16 rows
#   OUT=/tmp/proof bash benchmarks/gpu_proof.sh            # on the GPU machine (no network), <= 10 min on an H100/H200
#   OUT=/tmp/proof bash benchmarks/gpu_proof.sh --device cpu   # the same steps at CPU sizes: proves the script works
#
# --prepare builds the pretraining text with this project's own pipelines, offline: the Wikipedia sample in
# ../shared (pipelines/wikipedia_20221220.py), and English documentation HTML from Debian packages
# (python3.11-doc, postgresql-doc-15, git-doc, python-django-doc, nodejs-doc, sphinx-doc, python-sqlalchemy-doc,
# gnucash-docs, debian-handbook, debian-reference-en, developers-reference, debian-faq, maint-guide; fetched
# with `apt-get download`, the one step that needs the Debian mirror) wrapped into a WARC and run through the CC
# pipeline (pipelines/cc_2022_49.py: URL filters, extraction, fastText LID, OLM quality filters, dedup, perplexity
# sampling). Then a 30522 WordPiece vocab and 512-token rows; the result (<64 MiB) sits in $DATA (ignored by git,
# under out/) and travels to the GPU machine with `carry`.
#
# On the GPU image the script installs the project without network or build isolation (the image's setuptools
# builds it):  pip install --no-deps --no-build-isolation --no-index -e .
# (without setuptools it falls back to a PYTHONPATH shim). trainer/ imports with only torch, transformers,
# tokenizers, numpy, pyarrow; the carried accelerate/psutil wheels go to a --target folder for the HF Trainer row.
#
# Budget on the GPU (timeouts, s): install 30, env 10, loss 45, syncs 60, throughput 100 + 100, pretraining 150,
# GLUE 100 = 595 s at most; each step that fails or times out leaves "missing" in $OUT/table.md, the rest go on.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python}
[ -x "$ROOT/.venv/bin/python" ] && [ -z "${PYTHON:-}" ] && PY="$ROOT/.venv/bin/python"
DATA=out/gpu-proof-data
DEVICE=cuda
PREPARE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prepare) PREPARE=1 ;;
    --device) DEVICE=$2; shift ;;
    --data) DATA=$2; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
SHARED="$ROOT/../shared/data"

prepare() {
  local work=out/gpu-proof-work
  mkdir -p "$work" "$DATA"
  # 1. Wikipedia sample -> out/.../wiki/deduped (+ the reference LM the CC pipeline samples with)
  [ -f "$work/wiki/manifest.json" ] || timeout 1800 $PY -m olm_data.cli run pipelines/wikipedia_20221220.py \
    --input "$SHARED/wikipedia/enwiki-sample-206-pages.xml.bz2" --output "$work/wiki" || return 1
  # 2. Debian documentation packages -> one WARC of HTML responses
  if [ ! -f "$work/warc/docs.warc.gz" ]; then
    mkdir -p "$work/deb" "$work/warc"
    (cd "$work/deb" && apt-get download python3.11-doc postgresql-doc-15 git-doc python-django-doc nodejs-doc \
      sphinx-doc python-sqlalchemy-doc gnucash-docs debian-handbook debian-reference-en developers-reference \
      debian-faq maint-guide) || return 1
    for deb in "$work"/deb/*.deb; do dpkg-deb -x "$deb" "$work/deb/root"; done
    $PY - "$work/deb/root/usr/share" "$work/warc/docs.warc.gz" <<'PYEOF' || return 1
import re
import sys
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

root, out = Path(sys.argv[1]), sys.argv[2]
n = 0
with open(out, "wb") as fh:
    writer = WARCWriter(fh, gzip=True)
    for path in sorted(root.rglob("*.htm*")):
        parts = path.relative_to(root).parts
        # English only: debian-reference/maint-guide name other languages page.xx.html, the handbook has xx-XX/
        lang = re.search(r"\.([a-z]{2}(?:[-_][A-Za-z]{2})?)\.html?$", path.name)
        if (lang and not lang.group(1).startswith("en") and "python" not in parts[1]) or any(
            re.fullmatch(r"[a-z]{2}-[A-Z]{2}", p) and not p.startswith("en") for p in parts
        ):
            continue
        url = "https://docs.example.org/" + "/".join(parts)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=BytesIO(path.read_bytes()), http_headers=headers)
        writer.write_record(record)
        n += 1
print(f"{n} HTML pages -> {out}")
PYEOF
  fi
  # 3. the CC pipeline on that WARC, sampled with the Wikipedia sample's LM
  [ -f "$work/docs/manifest.json" ] || timeout 3600 $PY -m olm_data.cli run pipelines/cc_2022_49.py \
    --input "$work/warc/docs.warc.gz" --output "$work/docs" --sample-ratio 1 --extractor resiliparse \
    --lm "$work/wiki/lm" --tasks 2 --workers 2 || return 1
  # 4. vocab and packed rows
  timeout 1800 $PY -m olm_data.cli tokenizer train --input "$work/wiki/deduped" "$work/docs/sampled" \
    --output "$DATA/tok" --vocab-size 30522 || return 1
  rm -rf "$DATA/tokenized-512"
  timeout 1800 $PY -m olm_data.cli tokenize --input "$work/wiki/deduped" "$work/docs/sampled" \
    --tokenizer "$DATA/tok" --seq-len 512 --output "$DATA/tokenized-512" --tasks 2 || return 1
  rm -rf "$DATA/tokenized-512/data"  # the parquet copy: the trainer reads memmap/ only
  # 5. the GLUE tasks of the proof travel with the data (the GPU machine has no ../shared)
  mkdir -p "$DATA/glue"
  for task in SST-2 MRPC STS-B RTE; do cp -r "$SHARED/glue/$task" "$DATA/glue/"; done
  # 6. transformers.Trainer needs accelerate (+ psutil), which the GPU image lacks: carry their wheels along
  $PY -m pip download accelerate psutil --no-deps --only-binary :all: -d "$DATA/wheels" || return 1
  du -sh "$DATA"
  cat "$DATA/tokenized-512/memmap/index.json" | head -c 400; echo
}

if [ "$PREPARE" = 1 ]; then
  prepare
  exit $?
fi

# ---- the proof ----------------------------------------------------------------------------------------------
OUT=${OUT:-out/gpu-proof-$DEVICE}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
exec > >(tee "$OUT/log.txt") 2>&1
if [ "$DEVICE" = cpu ]; then  # same steps, CPU sizes; generous limits (a shared CPU is slow)
  T_INSTALL=120 T_ENV=60 T_LOSS=300 T_SYNC=60 T_BENCH=900 T_PRE=900 T_GLUE=1800
  BENCH=(--device cpu --steps 8 --warm 3) PRE=(--device cpu --steps 150) GLUEDEV=(--device cpu)
else
  T_INSTALL=30 T_ENV=10 T_LOSS=45 T_SYNC=60 T_BENCH=100 T_PRE=150 T_GLUE=100
  BENCH=() PRE=() GLUEDEV=()
fi
TOK="$DATA/tok"
ROWS="$DATA/tokenized-512"
[ -f "$ROWS/memmap/index.json" ] || { echo "no prepared data in $DATA: run --prepare first (CPU side)"; exit 2; }

step() {  # step NAME SECONDS COMMAND...: time-boxed, output in $OUT/NAME.log, never stops the script
  local name=$1 limit=$2 start=$SECONDS
  shift 2
  timeout --kill-after 10 "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  echo "[$name] exit $rc in $((SECONDS - start)) s (limit $limit s)"
  tail -n 4 "$OUT/$name.log" | sed 's/^/    /'
}

# 0. install offline (no index, no build isolation); a PYTHONPATH shim if even that fails
if ! $PY -c "import olm_data.trainer.train" 2>/dev/null; then
  PIP_NO_INDEX=1 timeout "$T_INSTALL" $PY -m pip install --no-deps --no-build-isolation --no-index -e . \
    > "$OUT/install.log" 2>&1 || {
    echo "[install] pip failed (see install.log): PYTHONPATH shim olm_data -> ./olm_data + ./trainer + ./filters"
    mkdir -p "$WORK/shim/olm_data"
    for f in olm_data/*; do ln -s "$ROOT/$f" "$WORK/shim/olm_data/"; done
    ln -s "$ROOT/trainer" "$WORK/shim/olm_data/trainer"
    ln -s "$ROOT/filters" "$WORK/shim/olm_data/filters"
    export PYTHONPATH="$WORK/shim${PYTHONPATH:+:$PYTHONPATH}"
  }
fi
if ! $PY -c "import accelerate" 2>/dev/null && ls "$DATA"/wheels/*.whl > /dev/null 2>&1; then
  $PY -m pip install --no-deps --no-index --target "$WORK/site" "$DATA"/wheels/*.whl > "$OUT/wheels.log" 2>&1 \
    && export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$WORK/site"
fi

# 1. environment
cat > "$WORK/env.py" <<'PYEOF'
import importlib.util
import sys

import numpy, pyarrow, tokenizers, torch, transformers  # noqa: E401 - the only packages the trainer may need

gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
print(f"device: {gpu} | torch {torch.__version__} (cuda {torch.version.cuda}) | python {sys.version.split()[0]}")
print(f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}, numpy {numpy.__version__}, "
      f"pyarrow {pyarrow.__version__}, accelerate {'yes' if importlib.util.find_spec('accelerate') else 'no'}")
import olm_data.trainer.train  # noqa: E402,F401 - installed and importable
print("olm_data.trainer imports")
PYEOF
step env "$T_ENV" bash -c "$PY $WORK/env.py; nvidia-smi --query-gpu=name,memory.total,driver_version \
  --format=csv,noheader 2>/dev/null || echo 'nvidia-smi: none'; echo cpus \$(nproc)"
cp "$OUT/env.log" "$OUT/env.txt"

B=benchmarks/trainer.py
# 2. sparse vs dense loss on the device, fp32 and bf16
step loss_check "$T_LOSS" $PY $B --loss-check "${BENCH[@]}" --json "$OUT/loss_check.json"
# 3. host syncs per step of the real loop
step sync_check "$T_SYNC" $PY $B --sync-check "${BENCH[@]}" --data "$ROWS" --tokenizer "$TOK" --json "$OUT/sync_check.json"
# 4. ours vs the HF Trainer recipe on the real rows, seq 128 and 512
for seq in 128 512; do
  step "throughput_$seq" "$T_BENCH" $PY $B --seq $seq "${BENCH[@]}" --data "$ROWS" --tokenizer "$TOK" \
    --json "$OUT/throughput_$seq.json"
done
# 5. a short real pretraining run: held-out MLM vs the unigram baseline
step pretrain "$T_PRE" $PY $B --pretrain-proof "${PRE[@]}" --data "$ROWS" --tokenizer "$TOK" \
  --output "$WORK/tiny" --json "$OUT/pretrain.json"
# 6. GLUE sst2/mrpc/stsb/rte: pretrained vs random init of the same shape
GLUE_DIR=${GLUE_DIR:-$DATA/glue}
if [ -f "$WORK/tiny/model.safetensors" ] && [ -d "$GLUE_DIR" ]; then
  step glue "$T_GLUE" $PY $B --glue-proof "${GLUEDEV[@]}" --output "$WORK/tiny" --glue-dir "$GLUE_DIR" --json "$OUT/glue.json"
else
  echo "[glue] skipped: no pretrained model or no GLUE data at $GLUE_DIR"
fi
# 7. the table
$PY $B --table "$OUT"
echo "total: $SECONDS s; everything is in $OUT"
