#!/usr/bin/env bash
# Training-step benchmark, side by side with PyTorch (CPU) in the same run: one step (forward,
# cross-entropy, backward, AdamW) at batch 32 on ResNet-18 64x64 and MobileNetV2 96x96
# (torchvision, random weights), with the backbone frozen and fully trainable, 1 and 2 threads.
# Prints a Markdown table: median ms and our time / PyTorch's.
#   scripts/bench-train.sh     (PYTHON: a Python with torch + torchvision; default .venv/bin/python)
# One section of scripts/bench.sh (which runs every benchmark and writes BENCHMARKS.md), kept
# for a quick standalone look; PYTHON or ONNX_TUNE_BENCH_VENV picks the Python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-${ONNX_TUNE_BENCH_VENV:-$root/.venv}/bin/python}
cache=${ONNX_TUNE_CACHE:-$root/cache}
repeat=${REPEAT:-5}
[[ "${SKIP_BUILD:-0}" == 1 ]] || swift build -c release --product onnx-tune >&2
bin=$(swift build -c release --show-bin-path)/onnx-tune
"$python" scripts/bench/make_bench_models.py "$cache/bench" >&2
echo "| model | trainable | threads | onnx-tune ms | PyTorch ms | ratio |"
echo "|---|---|---:|---:|---:|---:|"
for model in resnet18_64 mobilenetv2_96; do
  for mode in frozen full; do
    for threads in 1 2; do
      freeze=head; flag=--frozen
      [[ $mode == full ]] && { freeze=none; flag=; }
      ours=$(OPENBLAS_NUM_THREADS=$threads "$bin" benchmark "$cache/bench/$model.onnx" --batch 32 --freeze $freeze \
        --repeat "$repeat" --threads "$threads" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
      theirs=$("$python" scripts/bench/torch_train_time.py "$model" --batch 32 --threads "$threads" --repeat "$repeat" $flag)
      ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.2f", a / b }')
      echo "| $model | $mode | $threads | $ours | $theirs | $ratio |"
    done
  done
done
