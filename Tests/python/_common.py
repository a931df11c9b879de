"""Shared helpers for the Python cross-checks in this folder (run inside the venv by CI).

They drive the `onnx-tune` binary given on the command line and compare what it does with
onnxruntime and `onnx.checker`. Only onnx, onnxruntime and numpy are needed.
"""

import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

# Symbolic or unknown dimensions get this size in generated inputs.
DYNAMIC_DIM = 2

_NUMPY_TYPES = {
    onnx.TensorProto.FLOAT: np.float32,
    onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.FLOAT16: np.float16,
    onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32,
    onnx.TensorProto.INT16: np.int16,
    onnx.TensorProto.INT8: np.int8,
    onnx.TensorProto.UINT8: np.uint8,
    onnx.TensorProto.BOOL: np.bool_,
}


class CheckFailure(Exception):
    """A failed check; its message is printed as one line naming the model."""


def fail(message: str) -> None:
    raise CheckFailure(message)


def real_inputs(model: onnx.ModelProto):
    """Graph inputs that are not initializers (older IR versions list initializers as inputs)."""
    initializers = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def random_inputs(model_path: str, seed: int) -> dict:
    """Seeded random inputs matching the model's declared input types and shapes."""
    model = onnx.load(model_path, load_external_data=False)
    rng = np.random.default_rng(seed)
    feeds = {}
    for value in real_inputs(model):
        if not value.type.HasField("tensor_type"):
            fail(f"input '{value.name}' is not a tensor; cannot make a random value for it")
        tensor_type = value.type.tensor_type
        dtype = _NUMPY_TYPES.get(tensor_type.elem_type)
        if dtype is None:
            fail(f"input '{value.name}' has element type {tensor_type.elem_type}, "
                 "which these checks cannot generate")
        if not tensor_type.HasField("shape"):
            fail(f"input '{value.name}' has no shape; cannot make a random value for it")
        shape = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else DYNAMIC_DIM
                 for d in tensor_type.shape.dim]
        if dtype == np.bool_:
            feeds[value.name] = rng.random(shape) < 0.5
        elif np.issubdtype(dtype, np.integer):
            feeds[value.name] = rng.integers(0, 4, size=shape).astype(dtype)
        else:
            feeds[value.name] = rng.standard_normal(shape).astype(dtype)
    return feeds


def ort_session(model_path: str) -> ort.InferenceSession:
    """A deterministic CPU session: one thread, no graph rewriting."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])


def ort_run(model_path: str, feeds: dict) -> dict:
    session = ort_session(model_path)
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds)))


def run_bin(args: list, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs the onnx-tune binary; fails with its exit status and last stderr line otherwise."""
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        fail(f"cannot execute {args[0]}")
    except subprocess.TimeoutExpired:
        fail(f"`{' '.join(args)}` did not finish within {timeout:.0f} s")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        fail(f"`{' '.join(args)}` exited with status {result.returncode}: {last}")
    return result


def describe_difference(actual: np.ndarray, expected: np.ndarray) -> str:
    if actual.shape != expected.shape:
        return f"shape {list(actual.shape)} vs expected {list(expected.shape)}"
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype} vs expected {expected.dtype}"
    if actual.size == 0:
        return "empty"
    if np.issubdtype(actual.dtype, np.number) and not np.issubdtype(actual.dtype, np.integer):
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        nan_mismatch = np.isnan(a) != np.isnan(e)
        if nan_mismatch.any():
            return f"NaN in different places ({int(nan_mismatch.sum())} elements)"
        diff = np.abs(np.where(np.isnan(a), 0, a) - np.where(np.isnan(e), 0, e))
        i = np.unravel_index(np.argmax(diff), diff.shape)
        return (f"max |difference| {diff[i]:.3g} at index {list(map(int, i))} "
                f"({a[i]:.8g} vs expected {e[i]:.8g})")
    mismatches = int((actual != expected).sum())
    return f"{mismatches} of {actual.size} elements differ"


def close(actual: np.ndarray, expected: np.ndarray, atol: float, rtol: float) -> bool:
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        return False
    if np.issubdtype(actual.dtype, np.floating):
        return bool(np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(actual, expected))


def main_over_models(check, models: list) -> int:
    """Runs check(model) for every model, prints one line each and a closing count line."""
    passed = failed = 0
    for model in models:
        try:
            detail = check(model)
        except CheckFailure as error:
            failed += 1
            print(f"FAIL {model}: {error}", flush=True)
        except Exception as error:  # a crash in the check itself, still reported per model
            failed += 1
            print(f"FAIL {model}: {type(error).__name__}: {error}", flush=True)
        else:
            passed += 1
            print(f"ok   {model}" + (f": {detail}" if detail else ""), flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not models else 0


def usage(text: str) -> None:
    print(text, file=sys.stderr)
    sys.exit(2)


def binary_argument(path: str) -> str:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        usage(f"error: {path} is not an executable file")
    return os.path.abspath(path)
