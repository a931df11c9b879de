#!/usr/bin/env bash
# The main job on bundled defaults. Until the fine-tune demo lands, it inspects the bundled
# PyTorch-exported CNN and converts it (weights moved to external data), then shows the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build -c release
bin=$(swift build -c release --show-bin-path)/onnx-tune
out=${1:-$root/out}
mkdir -p "$out"
"$bin" inspect fixtures/models/torch_cnn.onnx
"$bin" convert fixtures/models/torch_cnn.onnx "$out/torch_cnn.onnx" --external-data --external-threshold 1024
echo
echo "demo: wrote $out/torch_cnn.onnx and $out/torch_cnn.onnx.data"
"$bin" inspect "$out/torch_cnn.onnx" --json | head -20
