#!/usr/bin/env python3
"""Checks the graphs that the Swift surgery tests rewrite (head swap, passes) with the ONNX
checker and onnxruntime. Run by hand:

    ONNX_TUNE_SURGERY_OUT=/tmp/surgery swift test --filter TuneIRTests
    /work/venv/bin/python Tests/python/check_surgery.py /tmp/surgery

For every `*.onnx` in the folder: `onnx.checker.check_model(full_check=True)` (which also runs
ONNX shape inference in strict mode), then onnxruntime (CPU, graph optimizations off) on the
fixture's batch-2 input. Files named `ab__<fixture>__<what>.onnx` come from semantics-preserving
passes and must reproduce the fixture's `<fixture>.ort_output.npy` within 1e-4 (`bnfold`
variants too: the folded BatchNorm is compared with the unfolded model). Files named
`pair__<name>__<what>.onnx` (synthetic graphs built by the tests) are run on one seeded random
input (dynamic dims = 2) and must all agree with `pair__<name>__before.onnx` within 1e-4. Other
files (new heads) must run and give an output of the declared shape. Prints one line per model; exits 1 on any
failure.
"""

import glob
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "fixtures", "models")
# Fixture file stems, as the Swift tests spell them in output names ('/' becomes '_').
KNOWN = {
    "torch_cnn": "torch_cnn",
    "paddle_style": "paddle_style",
    "tf_style_nhwc": "tf_style_nhwc",
    "external_data_model": "external_data/model",
}
TOLERANCE = 1e-4


def fixture_for(name: str):
    for key in sorted(KNOWN, key=len, reverse=True):
        if key in name:
            return KNOWN[key]
    return None


def run(path: str, feed: np.ndarray):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    inputs = [i for i in session.get_inputs()]
    if len(inputs) != 1:
        raise RuntimeError(f"expected one input, got {len(inputs)}")
    return session.run(None, {inputs[0].name: feed})


def random_feed(model: onnx.ModelProto) -> np.ndarray:
    dims = model.graph.input[0].type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 2 for d in dims]
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


def check(path: str) -> str:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    name = os.path.basename(path)[:-5]
    if name.startswith("pair__"):
        stem = name.split("__")[1]
        base = os.path.join(os.path.dirname(path), f"pair__{stem}__before.onnx")
        feed = random_feed(model)
        got = run(path, feed)[0]
        expected = run(base, feed)[0]
        diff = float(np.max(np.abs(got - expected)))
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=TOLERANCE, atol=TOLERANCE):
            raise RuntimeError(f"differs from pair__{stem}__before: max |diff| = {diff:.3g}")
        return f"checker ok, onnxruntime ok, same outputs as pair__{stem}__before (max |diff| {diff:.2g})"
    fixture = fixture_for(name)
    if fixture is None:
        return "checker ok (no fixture input to run with)"
    feed = np.load(os.path.join(FIXTURES, fixture + ".input.npy"))
    outputs = run(path, feed)
    declared = model.graph.output[0].type.tensor_type.shape.dim
    want = [d.dim_value if d.HasField("dim_value") else None for d in declared]
    got = list(outputs[0].shape)
    if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got)):
        raise RuntimeError(f"output shape {got} does not match the declared {want}")
    if not np.all(np.isfinite(outputs[0])):
        raise RuntimeError("output has non-finite values")
    if name.startswith("ab__"):
        expected = np.load(os.path.join(FIXTURES, fixture + ".ort_output.npy"))
        diff = float(np.max(np.abs(outputs[0] - expected)))
        if not np.allclose(outputs[0], expected, rtol=TOLERANCE, atol=TOLERANCE):
            raise RuntimeError(f"differs from the original model: max |diff| = {diff:.3g}")
        return f"checker ok, onnxruntime ok, same outputs as the original (max |diff| {diff:.2g})"
    return f"checker ok, onnxruntime ok, output {got}"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    paths = sorted(glob.glob(os.path.join(sys.argv[1], "*.onnx")))
    if not paths:
        print(f"no .onnx files in {sys.argv[1]}")
        return 1
    failed = 0
    for p in paths:
        try:
            print(f"PASS {os.path.basename(p)}: {check(p)}")
        except Exception as e:  # noqa: BLE001 - report every failure as one line
            failed += 1
            print(f"FAIL {os.path.basename(p)}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
