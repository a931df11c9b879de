#!/usr/bin/env bash
# Benchmark: onnx-tune's reader vs Python's onnx.load on a 100+ MB model with external data.
#
#   scripts/bench-read.sh            # PYTHON (default: the venv at /work/venv, else python3) needs onnx + numpy
#   SKIP_BUILD=1 BIN=.build/release/onnx-tune scripts/bench-read.sh
#
# 1. builds the release CLI (`swift build -c release --product onnx-tune`) unless SKIP_BUILD=1;
# 2. makes $CACHE/bench/big.onnx + big.onnx.data with scripts/make-big-model.py (kept between runs);
# 3. times, in the same run and with warm file caches:
#    - `onnx-tune inspect BIG` as a whole process (hyperfine, or a Python loop without it),
#    - `onnx.load(BIG)` inside one Python process (import excluded), and the same as a whole
#      process (`python -c "import onnx; onnx.load(BIG)"`) for a like-for-like figure;
# 4. measures peak RSS of both with /usr/bin/time -v and compares it with the weights' size.
# Prints a Markdown table; the ratios are ours / Python's (below 1 means we are faster).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${ONNX_TUNE_CACHE:-$ROOT/cache}"
if [[ -z "${PYTHON:-}" && -n "${ONNX_TUNE_BENCH_VENV:-}" ]]; then PYTHON=$ONNX_TUNE_BENCH_VENV/bin/python; fi
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x /work/venv/bin/python ]]; then PYTHON=/work/venv/bin/python; else PYTHON=python3; fi
fi
BIN="${BIN:-$ROOT/.build/release/onnx-tune}"
RUNS="${RUNS:-10}"
MEGABYTES="${MEGABYTES:-128}"

if [[ ! -x /usr/bin/time ]]; then
    echo "bench-read: /usr/bin/time is missing (apt-get install time)" >&2
    exit 1
fi
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    echo "bench-read: building the release CLI" >&2
    (cd "$ROOT" && swift build -c release --product onnx-tune >&2)
fi
if [[ ! -x "$BIN" ]]; then
    echo "bench-read: no onnx-tune binary at $BIN" >&2
    exit 1
fi

BENCH="$CACHE/bench"
"$PYTHON" "$ROOT/scripts/make-big-model.py" "$BENCH" --megabytes "$MEGABYTES" >&2
BIG="$BENCH/big.onnx"
WEIGHT_BYTES=$(stat -c %s "$BIG.data")
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Sanity: both readers succeed, and the file is warm in the page cache for everyone.
"$BIN" inspect "$BIG" >"$TMP/inspect.txt"
"$PYTHON" -c "import onnx, sys; onnx.load(sys.argv[1])" "$BIG"

# --- time ---------------------------------------------------------------------------------------
PY_LOAD=("$PYTHON" -c "import onnx, sys; onnx.load(sys.argv[1])" "$BIG")
if command -v hyperfine >/dev/null; then
    hyperfine --style basic --warmup 2 --runs "$RUNS" --export-json "$TMP/hyperfine.json" \
        --command-name "onnx-tune inspect" "$(printf '%q ' "$BIN" inspect "$BIG")" \
        --command-name "python onnx.load (process)" "$(printf '%q ' "${PY_LOAD[@]}")" >&2
    read -r OURS_S PY_PROCESS_S < <("$PYTHON" - "$TMP/hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print(results["onnx-tune inspect"]["median"], results["python onnx.load (process)"]["median"])
PY
)
else
    read -r OURS_S PY_PROCESS_S < <("$PYTHON" - "$RUNS" "$BIN" "$BIG" "$PYTHON" <<'PY'
import statistics, subprocess, sys, time
runs, binary, big, python = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def median_time(args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
print(median_time([binary, "inspect", big]),
      median_time([python, "-c", "import onnx, sys; onnx.load(sys.argv[1])", big]))
PY
)
fi
PY_LOAD_S=$("$PYTHON" - "$RUNS" "$BIG" <<'PY'
import statistics, sys, time
import onnx
runs, big = int(sys.argv[1]), sys.argv[2]
onnx.load(big)
times = []
for _ in range(runs):
    start = time.perf_counter()
    model = onnx.load(big)
    times.append(time.perf_counter() - start)
    del model
print(statistics.median(times))
PY
)

# --- memory -------------------------------------------------------------------------------------
peak_kib() { # peak RSS in KiB of the given command
    /usr/bin/time -v "$@" 2>"$TMP/time.txt" >/dev/null
    awk -F': ' '/Maximum resident set size/ {print $2}' "$TMP/time.txt"
}
OURS_KIB=$(peak_kib "$BIN" inspect "$BIG")
PY_KIB=$(peak_kib "${PY_LOAD[@]}")
PY_BASE_KIB=$(peak_kib "$PYTHON" -c "import onnx")

"$PYTHON" - "$OURS_S" "$PY_PROCESS_S" "$PY_LOAD_S" "$OURS_KIB" "$PY_KIB" "$PY_BASE_KIB" \
    "$WEIGHT_BYTES" "$BIG" "$RUNS" <<'PY'
import sys
ours, py_process, py_load = map(float, sys.argv[1:4])
ours_kib, py_kib, py_base_kib, weights = map(int, sys.argv[4:8])
big, runs = sys.argv[8], sys.argv[9]
mb = lambda b: b / 1e6
print(f"## Reader benchmark: {big} ({mb(weights):.1f} MB of external weights), median of {runs} runs\n")
print("| measure | onnx-tune inspect | Python onnx.load | ratio (ours / Python) |")
print("|---|---|---|---|")
print(f"| wall time, whole process | {ours*1000:.1f} ms | {py_process*1000:.1f} ms | {ours/py_process:.2f} |")
print(f"| wall time, onnx.load call only (ours still a whole process) | {ours*1000:.1f} ms | {py_load*1000:.1f} ms | {ours/py_load:.2f} |")
print(f"| peak RSS | {mb(ours_kib*1024):.1f} MB | {mb(py_kib*1024):.1f} MB (`import onnx` alone: {mb(py_base_kib*1024):.1f} MB) | {ours_kib/py_kib:.2f} |")
print(f"| peak RSS / weights' size | {ours_kib*1024/weights:.2f} | {py_kib*1024/weights:.2f} | |")
PY
