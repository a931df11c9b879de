#!/usr/bin/env bash
# The bundled demo: fine-tune a CNN pretrained (with PyTorch) on MNIST digits 0-4 to recognize
# digits 5-9 from 40 labelled images per class, evaluate on 500 held-out digits, and compare
# with the same network trained from scratch for the same number of epochs.
#   scripts/demo.sh [OUT_DIR]     (default: out/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-$root/out}
epochs=${EPOCHS:-15}
swift build -c release --product onnx-tune
bin=$(swift build -c release --show-bin-path)/onnx-tune
mkdir -p "$out"
demo=fixtures/demo
start=$(date +%s.%N)

echo "== The pretrained model (PyTorch export, digits 0-4)"
"$bin" inspect "$demo/pretrained_digits04.onnx" | sed -n '1,12p'
echo
echo "== Fine-tune on digits 5-9 (backbone frozen, new head)"
"$bin" finetune "$demo/pretrained_digits04.onnx" --data "$demo/digits59/train" --val-split 0.2 \
  --epochs "$epochs" --patience 0 --seed 0 --out "$out/digits59_tuned.onnx"
echo
echo "== Held-out evaluation of the tuned model (500 images)"
"$bin" evaluate "$out/digits59_tuned.onnx" --data "$demo/digits59/test" | tee "$out/digits59_tuned.eval.txt"
echo
echo "== Baseline: the same network trained from scratch for $epochs epochs"
"$bin" finetune "$demo/pretrained_digits04.onnx" --data "$demo/digits59/train" --val-split 0.2 \
  --epochs "$epochs" --patience 0 --seed 0 --from-scratch --out "$out/digits59_scratch.onnx" | tail -3
"$bin" evaluate "$out/digits59_scratch.onnx" --data "$demo/digits59/test" > "$out/digits59_scratch.eval.txt"
tuned=$(sed -n 's/^Accuracy: \([0-9.]*\).*/\1/p' "$out/digits59_tuned.eval.txt")
scratch=$(sed -n 's/^Accuracy: \([0-9.]*\).*/\1/p' "$out/digits59_scratch.eval.txt")
end=$(date +%s.%N)
echo
printf "Held-out accuracy on digits 5-9: fine-tuned %s, from scratch %s (%d epochs each; %.1f s in all)\n" \
  "$tuned" "$scratch" "$epochs" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
echo "Wrote $out/digits59_tuned.onnx (and .report.html, .history.csv, .history.json, .config.json)"
