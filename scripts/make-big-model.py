#!/usr/bin/env python3
"""Generates a large ONNX model with external data, for the reader benchmark.

    python scripts/make-big-model.py OUT_DIR [--megabytes 128] [--seed 0]

Writes OUT_DIR/big.onnx and OUT_DIR/big.onnx.data: an MLP of Gemm layers (width 2048) plus a
final MatMul + Add, whose float32 weights (random, seeded) add up to at least --megabytes MB,
all stored in one external data file. Prints the weights' size in bytes. Needs onnx and numpy.
Rerunning with the same arguments gives identical files; an existing, matching pair is kept.
"""

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTH = 2048


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--megabytes", type=int, default=128,
                        help="lower bound on the total weight size, in MB (10^6 bytes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    layer_bytes = WIDTH * WIDTH * 4
    layers = max(2, -(-args.megabytes * 1_000_000 // layer_bytes))
    os.makedirs(args.out_dir, exist_ok=True)
    model_path = os.path.join(args.out_dir, "big.onnx")
    data_path = model_path + ".data"
    stamp_path = model_path + ".json"
    stamp = {"layers": layers, "width": WIDTH, "seed": args.seed, "onnx": onnx.__version__}
    if all(os.path.exists(p) for p in (model_path, data_path, stamp_path)):
        with open(stamp_path) as f:
            if json.load(f) == stamp:
                print(f"{model_path}: already there ({os.path.getsize(data_path)} bytes of weights)")
                return 0

    rng = np.random.default_rng(args.seed)
    nodes, initializers = [], []
    value = "input"
    scale = np.float32(1.0 / np.sqrt(WIDTH))
    for i in range(layers - 1):
        w = (rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * scale)
        b = (rng.standard_normal(WIDTH, dtype=np.float32) * np.float32(0.01))
        initializers += [numpy_helper.from_array(w, f"layer{i}.weight"),
                         numpy_helper.from_array(b, f"layer{i}.bias")]
        nodes += [
            helper.make_node("Gemm", [value, f"layer{i}.weight", f"layer{i}.bias"], [f"gemm{i}"],
                             name=f"layer{i}/Gemm", transB=1),
            helper.make_node("Relu", [f"gemm{i}"], [f"relu{i}"], name=f"layer{i}/Relu"),
        ]
        value = f"relu{i}"
    w = rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * scale
    b = rng.standard_normal(WIDTH, dtype=np.float32) * np.float32(0.01)
    initializers += [numpy_helper.from_array(w, "head.weight"), numpy_helper.from_array(b, "head.bias")]
    nodes += [
        helper.make_node("MatMul", [value, "head.weight"], ["head_matmul"], name="head/MatMul"),
        helper.make_node("Add", ["head_matmul", "head.bias"], ["output"], name="head/Add"),
    ]
    graph = helper.make_graph(
        nodes, "big-mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", WIDTH])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", WIDTH])],
        initializer=initializers,
    )
    model = helper.make_model(graph, producer_name="onnx-tune make-big-model",
                              opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    weights = sum(len(t.raw_data) for t in initializers)
    for path in (model_path, data_path, stamp_path):
        if os.path.exists(path):
            os.remove(path)  # onnx.save appends to an existing data file
    onnx.save(model, model_path, save_as_external_data=True, all_tensors_to_one_file=True,
              location=os.path.basename(data_path), size_threshold=1024)
    with open(stamp_path, "w") as f:
        json.dump(stamp, f)
    print(f"{model_path}: {layers} layers of {WIDTH}x{WIDTH}, {weights} bytes of weights, "
          f"data file {os.path.getsize(data_path)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
