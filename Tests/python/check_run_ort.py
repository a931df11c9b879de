#!/usr/bin/env python3
"""Checks `onnx-tune run` against onnxruntime.

    python Tests/python/check_run_ort.py BIN MODEL...

For each MODEL: takes the fixture's `<name>.input.npy` when the model has one input and that file
exists, and a seeded random input besides (dynamic dims = 2); writes each input to a `.npy` file,
runs `BIN run MODEL --input NAME=FILE... --output-dir D`, and compares every `D/<output>.npy`
(one per graph output, named after it) with onnxruntime's output: same shape and dtype, and
|ours - ort| <= 1e-4 + 1e-4 * |ort|. Prints one line per model and a closing
`N passed, N failed`; exits 1 on any failure.
"""

import os
import re
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    binary_argument, close, describe_difference, fail, main_over_models, ort_run, random_inputs,
    real_inputs, run_bin, usage,
)

TOLERANCE = 1e-4


def output_file(directory: str, name: str) -> str:
    """`D/<name>.npy`; for names that are not plain file names, also accept a sanitised form."""
    candidates = [name, re.sub(r"[^A-Za-z0-9._-]", "_", name)]
    for candidate in candidates:
        path = os.path.join(directory, candidate + ".npy")
        if "/" not in candidate and os.path.isfile(path):
            return path
    present = sorted(os.listdir(directory))
    fail(f"no output file for '{name}' in --output-dir (expected {candidates[-1]}.npy; "
         f"found {present})")


def main() -> int:
    if len(sys.argv) < 3:
        usage("usage: check_run_ort.py BIN MODEL...")
    binary = binary_argument(sys.argv[1])

    def check(model_path: str) -> str:
        model = onnx.load(model_path, load_external_data=False)
        inputs = real_inputs(model)
        sets = []
        fixture_input = os.path.splitext(model_path)[0] + ".input.npy"
        if len(inputs) == 1 and os.path.exists(fixture_input):
            sets.append(("fixture input", {inputs[0].name: np.load(fixture_input)}))
        sets.append(("seed 0", random_inputs(model_path, 0)))
        worst = 0.0
        for label, feeds in sets:
            expected = ort_run(model_path, feeds)
            with tempfile.TemporaryDirectory(prefix="onnx-tune-run-") as tmp:
                args = [binary, "run", model_path]
                for i, (name, value) in enumerate(feeds.items()):
                    path = os.path.join(tmp, f"input{i}.npy")
                    np.save(path, value)
                    args += ["--input", f"{name}={path}"]
                out_dir = os.path.join(tmp, "out")
                os.makedirs(out_dir)
                args += ["--output-dir", out_dir]
                run_bin(args)
                for name, value in expected.items():
                    actual = np.load(output_file(out_dir, name))
                    if not close(actual, value, TOLERANCE, TOLERANCE):
                        fail(f"output '{name}' on {label}: {describe_difference(actual, value)}")
                    if value.dtype.kind == "f" and value.size:
                        diff = np.abs(actual.astype(np.float64) - value.astype(np.float64))
                        worst = max(worst, float(np.nanmax(diff)))
        return f"{len(sets)} input set(s), max |difference| {worst:.2g}"

    return main_over_models(check, [os.path.abspath(m) for m in sys.argv[2:]])


if __name__ == "__main__":
    sys.exit(main())
