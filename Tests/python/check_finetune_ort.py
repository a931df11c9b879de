#!/usr/bin/env python3
"""End to end on every fixture exporter style: import -> head swap -> a few epochs -> deployment
export; the exported file must pass onnx.checker (full check) and onnxruntime must agree with
`onnx-tune run` on it within 1e-4 (check_run_ort.py), and the class names and preprocessing
must be in metadata_props.

    python Tests/python/check_finetune_ort.py BIN
"""
import os
import subprocess
import sys
import tempfile

import onnx

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
bin_ = os.path.abspath(sys.argv[1])
data = os.path.join(root, "fixtures/demo/digits59/train")
fixtures = ["torch_cnn.onnx", "paddle_style.onnx", "tf_style_nhwc.onnx", "external_data/model.onnx"]
# (fixture, extra flags): the deployment export of each style, and a float16-weights export.
runs = [(f, []) for f in fixtures] + [("torch_cnn.onnx", ["--fp16", "--softmax"]), ("paddle_style.onnx", ["--opset", "18"])]
failed = 0
with tempfile.TemporaryDirectory() as tmp:
    outputs = []
    for f, flags in runs:
        out = os.path.join(tmp, "".join(x.strip("-") + "_" for x in flags) + f.replace("/", "_"))
        r = subprocess.run([bin_, "finetune", os.path.join(root, "fixtures/models", f), "--data", data, "--epochs", "2",
                            "--out", out] + flags, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {f}: finetune exited {r.returncode}: {r.stderr.strip()}")
            failed += 1
            continue
        try:
            onnx.checker.check_model(onnx.load(out), full_check=True)
        except Exception as e:  # noqa: BLE001
            print(f"FAIL {f}: onnx.checker rejects the export: {e}")
            failed += 1
            continue
        meta = {p.key: p.value for p in onnx.load(out).metadata_props}
        if "onnx_tune.class_names" not in meta or "onnx_tune.preprocessing" not in meta:
            print(f"FAIL {f}: class names or preprocessing missing from metadata_props: {sorted(meta)}")
            failed += 1
            continue
        print(f"ok   {f} {' '.join(flags)}: finetune, checker, metadata")
        outputs.append(out)
    r = subprocess.run([sys.executable, os.path.join(here, "check_run_ort.py"), bin_] + outputs)
    failed += r.returncode != 0
print("finetune end to end:", "all passed" if failed == 0 else f"{failed} failure(s)")
sys.exit(1 if failed else 0)
