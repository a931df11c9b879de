"""Benchmark models: torchvision ResNet-18 at 64x64 and MobileNetV2 at 96x96, random weights.

Pinned: torch==2.13.0+cpu, torchvision==0.28.0, onnx==1.22.0. Seeded. Usage:
    python scripts/bench/make_bench_models.py OUT_DIR
Writes OUT_DIR/resnet18_64.onnx and OUT_DIR/mobilenetv2_96.onnx (dynamic batch axis, opset 17,
TorchScript exporter). Skips files that exist.
"""
import os
import sys

import torch

# The PyPI torchvision wheel carries CUDA ops that cannot load beside the CPU torch; define the
# two operator schemas its import registers so that the pure-Python models import.
for name in ("nms", "qnms"):
    try:
        torch.library.define(f"torchvision::{name}", "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    except Exception:
        pass
import torchvision  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "cache/bench"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
for name, make, size in [
    ("resnet18_64", lambda: torchvision.models.resnet18(num_classes=10), 64),
    ("mobilenetv2_96", lambda: torchvision.models.mobilenet_v2(num_classes=10), 96),
]:
    path = os.path.join(out, name + ".onnx")
    if os.path.exists(path):
        continue
    model = make().eval()
    x = torch.randn(1, 3, size, size)
    torch.onnx.export(
        model, x, path, input_names=["input"], output_names=["logits"], opset_version=17,
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, dynamo=False,
    )
    print("wrote", path)
