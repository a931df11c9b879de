#!/usr/bin/env python3
"""Checks that `onnx-tune convert` preserves what a model computes.

    python Tests/python/check_roundtrip_ort.py BIN MODEL...

For each MODEL: runs `BIN convert MODEL OUT` into a temporary folder, checks that
`onnx.checker.check_model(OUT, full_check=True)` accepts OUT, and that onnxruntime gives the same
outputs for MODEL and OUT (bit-identical expected; at most 1e-6 tolerated) on three seeded random
inputs plus the fixture's own `<name>.input.npy` when there is one. A model with external data is
also converted with `--external-data --external-threshold 1024` and checked the same way.
Prints one line per model and a closing `N passed, N failed`; exits 1 on any failure.
"""

import os
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    binary_argument, close, describe_difference, fail, main_over_models, ort_run, random_inputs,
    real_inputs, run_bin, usage,
)

TOLERANCE = 1e-6
SEEDS = (0, 1, 2)


def has_external_data(model_path: str) -> bool:
    model = onnx.load(model_path, load_external_data=False)
    return any(t.data_location == onnx.TensorProto.EXTERNAL
               for t in onnx.external_data_helper._get_all_tensors(model))


def input_sets(model_path: str) -> list:
    sets = [(f"seed {seed}", random_inputs(model_path, seed)) for seed in SEEDS]
    fixture_input = os.path.splitext(model_path)[0] + ".input.npy"
    model = onnx.load(model_path, load_external_data=False)
    inputs = real_inputs(model)
    if os.path.exists(fixture_input) and len(inputs) == 1:
        sets.append((os.path.basename(fixture_input), {inputs[0].name: np.load(fixture_input)}))
    return sets


def compare(original: str, converted: str, label: str) -> str:
    try:
        onnx.checker.check_model(converted, full_check=True)
    except Exception as error:
        fail(f"{label}: onnx.checker rejects the converted file: {str(error).strip().splitlines()[0]}")
    exact = True
    for name, feeds in input_sets(original):
        expected = ort_run(original, feeds)
        try:
            actual = ort_run(converted, feeds)
        except Exception as error:
            fail(f"{label}: onnxruntime cannot run the converted file: {str(error).splitlines()[0]}")
        if list(actual) != list(expected):
            fail(f"{label}: outputs {list(actual)} differ from the original's {list(expected)}")
        for output, value in expected.items():
            if np.array_equal(actual[output], value, equal_nan=value.dtype.kind == "f"):
                continue
            exact = False
            if not close(actual[output], value, TOLERANCE, TOLERANCE):
                fail(f"{label}: output '{output}' on {name}: "
                     f"{describe_difference(actual[output], value)}")
    return "identical outputs" if exact else f"outputs within {TOLERANCE:g}"


def main() -> int:
    if len(sys.argv) < 3:
        usage("usage: check_roundtrip_ort.py BIN MODEL...")
    binary = binary_argument(sys.argv[1])

    def check(model_path: str) -> str:
        with tempfile.TemporaryDirectory(prefix="onnx-tune-roundtrip-") as tmp:
            plain = os.path.join(tmp, "plain", os.path.basename(model_path))
            os.makedirs(os.path.dirname(plain))
            run_bin([binary, "convert", model_path, plain])
            details = ["convert: " + compare(model_path, plain, "convert")]
            if has_external_data(model_path):
                external = os.path.join(tmp, "external", os.path.basename(model_path))
                os.makedirs(os.path.dirname(external))
                run_bin([binary, "convert", model_path, external,
                         "--external-data", "--external-threshold", "1024"])
                if not has_external_data(external):
                    fail("convert --external-data wrote no tensor as external data")
                details.append("convert --external-data: "
                               + compare(model_path, external, "convert --external-data"))
            return "; ".join(details)

    return main_over_models(check, [os.path.abspath(m) for m in sys.argv[2:]])


if __name__ == "__main__":
    sys.exit(main())
