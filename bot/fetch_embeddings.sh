#!/usr/bin/env bash
# The pretrained token embeddings for understanding/embeddings.py: WordLlama's l2_supercat table
# (32000 x 256) and its Llama-2 tokenizer, taken from the PyPI package `wordllama` (the package's
# own code is not installed: it needs numpy 2 and pydantic 2, which Rasa 3.6 cannot have). Its
# wheel is fetched with the venv's pip, from the package registry only, and just the two files are
# unpacked into build/embeddings/. Idempotent: does nothing but check them when they are there.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.4.0.post1
DIR=build/embeddings
PY=${PY:-.venv/bin/python}
WEIGHTS=l2_supercat_256.safetensors
TOKENIZER=l2_supercat_tokenizer_config.json
WEIGHTS_SHA256=64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5
TOKENIZER_SHA256=93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68

fail() { echo "fetch_embeddings: $*" >&2; exit 1; }
matches() { [ -f "$DIR/$1" ] && [ "$(sha256sum "$DIR/$1" | cut -d' ' -f1)" = "$2" ]; }

if matches "$WEIGHTS" "$WEIGHTS_SHA256" && matches "$TOKENIZER" "$TOKENIZER_SHA256"; then
  echo "embeddings ready: $DIR/$WEIGHTS (wordllama $VERSION, sha256 ${WEIGHTS_SHA256:0:12}...)"
  exit 0
fi

[ -x "$PY" ] || fail "no Python at $PY: set up the venv first (make build), or set PY=/path/to/python"
mkdir -p "$DIR"
# The wheel is the same data on every platform; cp312 is the one published for this version.
WHEEL=$(ls "$DIR"/wordllama-"$VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$WHEEL" ]; then
  "$PY" -m pip download --quiet "wordllama==$VERSION" --no-deps --only-binary :all: --python-version 3.12 -d "$DIR" \
    || fail "could not download wordllama==$VERSION from the package registry"
  WHEEL=$(ls "$DIR"/wordllama-"$VERSION"-*.whl 2>/dev/null | head -n1 || true)
  [ -n "$WHEEL" ] || fail "pip reported success but no wordllama $VERSION wheel is in $DIR"
fi

"$PY" - "$WHEEL" "$DIR" "wordllama/weights/$WEIGHTS" "wordllama/tokenizers/$TOKENIZER" <<'EOF' \
  || fail "could not unpack the two files from $WHEEL"
import os, shutil, sys, zipfile
wheel, out, *members = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for member in members:
        target = os.path.join(out, os.path.basename(member))
        with z.open(member) as src, open(target + ".part", "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.replace(target + ".part", target)
EOF

if ! matches "$WEIGHTS" "$WEIGHTS_SHA256" || ! matches "$TOKENIZER" "$TOKENIZER_SHA256"; then
  rm -f "$DIR/$WEIGHTS" "$DIR/$TOKENIZER" "$WHEEL"
  fail "the files in $WHEEL do not have the pinned sha256; removed them (run again to download afresh)"
fi
echo "embeddings ready: $DIR/$WEIGHTS (wordllama $VERSION, sha256 ${WEIGHTS_SHA256:0:12}...)"
