#!/usr/bin/env bash
# Every benchmark, side by side with its peer in the same run, written to BENCHMARKS.md:
#   inference vs onnxruntime, training step vs PyTorch, per-convolution GFLOP/s vs cblas_sgemm,
#   model read vs onnx.load, training peak memory vs PyTorch, cached frozen-backbone fine-tune
#   vs PyTorch, image decoding vs Pillow.
#
#   scripts/bench.sh [--quick] [--only SECTION[,SECTION]]... [--out FILE] [--report-only]
#
# Sections: inference train kernels read memory finetune data (default: all, ~10 min on 2 cores).
# --quick: few repeats and batch 8, written to cache/bench/results-quick/BENCHMARKS.md (for
# development; never quote it). --only reruns some sections and rebuilds the report from the
# saved results of the others (cache/bench/results/*.json). --report-only just rewrites the
# report. The prose around the tables is in scripts/bench/notes.md.
#
# Python peers run from $ONNX_TUNE_BENCH_VENV (default: .venv), which needs
# scripts/requirements-test.txt plus torch and torchvision (CPU):
#   python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-test.txt \
#     && .venv/bin/pip install torch==2.13.0+cpu \
#     && .venv/bin/pip install --no-deps torchvision==0.28.0
# Also needs /usr/bin/time (apt-get install time); hyperfine is used when present.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=${ONNX_TUNE_BENCH_VENV:-$root/.venv}
python=$venv/bin/python
if ! "$python" -c "import torch, onnxruntime, onnx, numpy, PIL" 2>/dev/null; then
  echo "bench.sh: $python lacks torch/onnxruntime/onnx/numpy/Pillow. Set ONNX_TUNE_BENCH_VENV to a venv made with:" >&2
  sed -n '/python3 -m venv/,/torchvision==/p' "$0" | sed 's/^#  //' >&2
  exit 1
fi
[[ -x /usr/bin/time ]] || { echo "bench.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
if [[ " $* " != *" --report-only "* && "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "bench.sh: building release binaries (onnx-tune, tune-kernel-bench, tune-data-bench)" >&2
  for product in onnx-tune tune-kernel-bench tune-data-bench; do
    swift build -c release --product "$product" >&2
  done
fi
bin_dir=$(swift build -c release --show-bin-path)
exec "$python" "$root/scripts/bench/run.py" --bin-dir "$bin_dir" "$@"
