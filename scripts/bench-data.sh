#!/usr/bin/env bash
# Images decoded and preprocessed per second: TuneData (release build) vs Pillow + NumPy, in the
# same run on the same generated images. Prints both and the ratio (> 1: TuneData is faster).
#   scripts/bench-data.sh [count] [repeats]      (ROUNDS=3 alternating rounds; PYTHON=... with Pillow)
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
# Alternate the two sides for ROUNDS rounds (a shared machine's load shifts over time) and keep
# each side's best round per set.
ROUNDS=${ROUNDS:-3}
SWIFT_OUT=""
PY_OUT=""
for _ in $(seq "$ROUNDS"); do
  SWIFT_OUT+=$("$BIN" "$DIR" "$REPEATS")$'\n'
  PY_OUT+=$("$PYTHON" scripts/bench-data.py run "$DIR" "$REPEATS")$'\n'
done
"$PYTHON" - "$SWIFT_OUT" "$PY_OUT" <<'PY'
import json, sys

def best(text):
    out = {}
    for line in text.splitlines():
        if line.strip():
            r = json.loads(line)
            if r["set"] not in out or r["seconds"] < out[r["set"]]["seconds"]:
                out[r["set"]] = r
    return out

swift, pil = best(sys.argv[1]), best(sys.argv[2])
for name in swift:
    s, p = swift[name], pil[name]
    agree = abs(s["checksum"] - p["checksum"]) / max(1.0, abs(p["checksum"]))
    print(f"{name}: {s['images']} images, TuneData {s['images_per_second']:.1f} img/s, "
          f"Pillow+NumPy {p['images_per_second']:.1f} img/s, ratio {s['images_per_second'] / p['images_per_second']:.2f}x "
          f"(checksum rel. diff {agree:.1e})")
PY
