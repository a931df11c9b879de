#!/usr/bin/env python3
"""A stand-in for the `onnx-tune` binary, for testing the check scripts in this folder.

Implements just the interface they drive, with onnx and onnxruntime:
    fake_onnx_tune.py convert IN OUT [--external-data] [--external-threshold BYTES]
    fake_onnx_tune.py run MODEL [--input NAME=FILE]... [--output-dir DIR]
    fake_onnx_tune.py inspect MODEL   (loads every weight, prints a count)
FAKE_ONNX_TUNE_BREAK=1 makes `convert` perturb the first float initializer and `run` perturb
its outputs, so that one can see the checks fail. Its `#!/usr/bin/env python3` must find a
Python with onnx and onnxruntime: put the venv first on PATH, e.g.
    PATH=/work/venv/bin:$PATH python Tests/python/check_run_ort.py Tests/python/fake_onnx_tune.py M.onnx
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def convert(args) -> None:
    model = onnx.load(args.input)
    if os.environ.get("FAKE_ONNX_TUNE_BREAK"):
        for tensor in model.graph.initializer:
            if tensor.data_type == onnx.TensorProto.FLOAT:
                tensor.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(tensor) * 1.01,
                                                        tensor.name))
                break
    if args.external_data:
        onnx.save(model, args.output, save_as_external_data=True, all_tensors_to_one_file=True,
                  location=os.path.basename(args.output) + ".data",
                  size_threshold=args.external_threshold)
    else:
        onnx.save(model, args.output)


def run(args) -> None:
    import onnxruntime as ort
    feeds = {}
    for item in args.input:
        name, _, path = item.partition("=")
        feeds[name] = np.load(path)
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    os.makedirs(args.output_dir, exist_ok=True)
    for name, value in zip(names, session.run(names, feeds)):
        if os.environ.get("FAKE_ONNX_TUNE_BREAK"):
            value = value * 1.01
        np.save(os.path.join(args.output_dir, name.replace("/", "_") + ".npy"), value)


def inspect(args) -> None:
    model = onnx.load(args.model)
    count = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print(f"{len(model.graph.node)} nodes, {count} parameters")


def main() -> None:
    parser = argparse.ArgumentParser(prog="fake_onnx_tune")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert")
    c.add_argument("input")
    c.add_argument("output")
    c.add_argument("--external-data", action="store_true")
    c.add_argument("--external-threshold", type=int, default=1024)
    r = sub.add_parser("run")
    r.add_argument("model")
    r.add_argument("--input", action="append", default=[])
    r.add_argument("--output-dir", default=".")
    i = sub.add_parser("inspect")
    i.add_argument("model")
    args = parser.parse_args()
    try:
        {"convert": convert, "run": run, "inspect": inspect}[args.command](args)
    except Exception as error:
        print(f"fake_onnx_tune: {args.command}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
