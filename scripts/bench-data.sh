#!/usr/bin/env bash
# Images decoded and preprocessed per second: TuneData (release build) vs Pillow + NumPy, in the
# same run on the same generated images. Prints both and the ratio (> 1: TuneData is faster).
#   scripts/bench-data.sh [count] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
# Python with Pillow + NumPy (scripts/requirements-test.txt): $PYTHON, else the tests' venv.
PYTHON=${PYTHON:-${ONNX_TUNE_VENV:-$PWD/.venv}/bin/python}
[[ -x "$PYTHON" ]] || PYTHON=python3
COUNT=${1:-64}
REPEATS=${2:-3}
DIR=$(mktemp -d /tmp/bench-data.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

swift build -c release --product tune-data-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)/tune-data-bench
"$PYTHON" scripts/bench-data.py generate "$DIR" "$COUNT"
SWIFT_OUT=$("$BIN" "$DIR" "$REPEATS")
PY_OUT=$("$PYTHON" scripts/bench-data.py run "$DIR" "$REPEATS")
echo "$SWIFT_OUT"
echo "$PY_OUT"
"$PYTHON" - "$SWIFT_OUT" "$PY_OUT" <<'PY'
import json, sys
swift = {r["set"]: r for r in map(json.loads, sys.argv[1].splitlines())}
pil = {r["set"]: r for r in map(json.loads, sys.argv[2].splitlines())}
for name in swift:
    s, p = swift[name], pil[name]
    agree = abs(s["checksum"] - p["checksum"]) / max(1.0, abs(p["checksum"]))
    print(f"{name}: TuneData {s['images_per_second']:.1f} img/s, Pillow+NumPy {p['images_per_second']:.1f} img/s, "
          f"ratio {s['images_per_second'] / p['images_per_second']:.2f}x (checksum rel. diff {agree:.1e})")
PY
