#!/usr/bin/env bash
# Inference benchmark, side by side with onnxruntime in the same run: ResNet-18 at 64x64 and
# MobileNetV2 at 96x96 (torchvision, random weights), batch 1 and 32, 1 and 2 threads.
# Prints a Markdown table of median latencies and our time / onnxruntime's time.
#   scripts/bench-inference.sh            (PYTHON defaults to .venv/bin/python; needs torch +
#                                          torchvision to make the models once, onnxruntime to time)
# One section of scripts/bench.sh (which runs every benchmark and writes BENCHMARKS.md), kept
# for a quick standalone look; PYTHON or ONNX_TUNE_BENCH_VENV picks the Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-${ONNX_TUNE_BENCH_VENV:-$root/.venv}/bin/python}
cache=${ONNX_TUNE_CACHE:-$root/cache}
repeat=${REPEAT:-10}
[[ "${SKIP_BUILD:-0}" == 1 ]] || swift build -c release --product onnx-tune >&2
bin=$(swift build -c release --show-bin-path)/onnx-tune
"$python" scripts/bench/make_bench_models.py "$cache/bench" >&2
echo "| model | batch | threads | onnx-tune ms | onnxruntime ms | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
for model in resnet18_64 mobilenetv2_96; do
  for batch in 1 32; do
    for threads in 1 2; do
      ours=$(OPENBLAS_NUM_THREADS=$threads "$bin" run "$cache/bench/$model.onnx" --random --batch "$batch" \
        --repeat "$repeat" --warmup 2 --threads "$threads" --top-k 0 | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
      theirs=$("$python" scripts/bench/ort_time.py "$cache/bench/$model.onnx" --batch "$batch" --threads "$threads" --repeat "$repeat")
      ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
      echo "| $model | $batch | $threads | $ours | $theirs | $ratio |"
    done
  done
done
echo
echo "OpenBLAS: $(ldconfig -p | grep -m1 -o 'libopenblas[^ ]*') (pthread build); threads set by --threads and OPENBLAS_NUM_THREADS"
