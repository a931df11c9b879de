#!/usr/bin/env python3
"""Checks that `onnx-tune convert` writes files `onnx.checker` accepts, over ONNX's backend tests.

    python Tests/python/check_checker_roundtrip.py BIN CACHE_DIR [--jobs N] [--folders A,B] [--byte-stable]

CACHE_DIR is the cache made by scripts/fetch-test-data.sh (or its
`onnx-1.22.0/onnx/backend/test/data` folder). For every `model.onnx` under node/, simple/,
pytorch-converted/ and pytorch-operator/, and every `*.onnx` in light/: runs `BIN convert IN OUT`
into a temporary folder (N conversions at a time, default: the CPU count) and, when
`onnx.checker.check_model(IN, full_check=True)` accepts IN, checks that it accepts OUT too.
A conversion that fails is a failure whether or not the checker accepts the original.
With --byte-stable, also converts OUT again and requires identical bytes.
Prints the counts per folder, one line per failure, and a closing `N passed, N failed`;
exits 1 on any failure.
"""

import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time

import onnx

ONNX_VERSION = "1.22.0"
FOLDERS = ("node", "simple", "light", "pytorch-converted", "pytorch-operator")


def data_root(cache: str) -> str:
    for candidate in (os.path.join(cache, f"onnx-{ONNX_VERSION}", "onnx", "backend", "test", "data"),
                      cache):
        if os.path.isdir(os.path.join(candidate, "node")):
            return candidate
    sys.exit(f"error: no ONNX backend test data under {cache} "
             "(run scripts/fetch-test-data.sh, or pass its data folder)")


def find_models(root: str, folders) -> list:
    """(folder, relative path) of every model, in a stable order."""
    models = []
    for folder in folders:
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            sys.exit(f"error: {base} is missing (run scripts/fetch-test-data.sh)")
        if folder == "light":
            names = sorted(n for n in os.listdir(base) if n.endswith(".onnx"))
            models += [(folder, os.path.join(folder, n)) for n in names]
        else:
            for case in sorted(os.listdir(base)):
                if os.path.isfile(os.path.join(base, case, "model.onnx")):
                    models.append((folder, os.path.join(folder, case, "model.onnx")))
    return models


def checker_error(path: str):
    """None when onnx.checker (full_check) accepts the file, else its first message line."""
    try:
        onnx.checker.check_model(path, full_check=True)
        return None
    except Exception as error:
        lines = str(error).strip().splitlines() or [type(error).__name__]
        return lines[0]


def convert(binary: str, source: str, target: str):
    """None on success, else a one-line reason."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        result = subprocess.run([binary, "convert", source, target], capture_output=True,
                                text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "convert did not finish within 120 s"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no message)"])[-1]
        return f"convert exited with status {result.returncode}: {last}"
    if not os.path.isfile(target):
        return "convert exited 0 but wrote no file"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("cache_dir")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--folders", default=",".join(FOLDERS),
                        help="comma-separated subset of " + ",".join(FOLDERS))
    parser.add_argument("--byte-stable", action="store_true",
                        help="also convert each output again and require identical bytes")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        sys.exit(f"error: {args.binary} is not an executable file")
    root = data_root(args.cache_dir)
    folders = [f for f in args.folders.split(",") if f]
    unknown = sorted(set(folders) - set(FOLDERS))
    if unknown:
        sys.exit(f"error: unknown folder(s) {unknown}; choose from {list(FOLDERS)}")
    models = find_models(root, folders)

    started = time.monotonic()
    failures = []  # (relative path, reason)
    counts = {folder: {"models": 0, "accepted": 0, "rejected originals": 0} for folder in folders}
    with tempfile.TemporaryDirectory(prefix="onnx-tune-checker-") as tmp:
        def job(item):
            folder, rel = item
            source = os.path.join(root, rel)
            target = os.path.join(tmp, "out", rel)
            reason = convert(binary, source, target)
            if reason is None and args.byte_stable:
                again = os.path.join(tmp, "again", rel)
                reason = convert(binary, target, again)
                if reason is None:
                    with open(target, "rb") as a, open(again, "rb") as b:
                        if a.read() != b.read():
                            reason = "converting the converted file again gives different bytes"
            return item, target, reason

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            # Checking in this thread while the pool converts keeps both cores busy.
            for (folder, rel), target, reason in pool.map(job, models):
                counts[folder]["models"] += 1
                original_error = checker_error(os.path.join(root, rel))
                if original_error is not None:
                    counts[folder]["rejected originals"] += 1
                if reason is not None:
                    failures.append((rel, reason))
                    continue
                if original_error is None:
                    converted_error = checker_error(target)
                    if converted_error is not None:
                        failures.append((rel, "onnx.checker accepts the original but rejects "
                                              f"the converted file: {converted_error}"))
                        continue
                    counts[folder]["accepted"] += 1
                try:
                    os.remove(target)
                except OSError:
                    pass

    for rel, reason in failures:
        print(f"FAIL {rel}: {reason}")
    for folder in folders:
        c = counts[folder]
        print(f"{folder:18} {c['models']:5d} models, {c['accepted']:5d} converted files accepted "
              f"by onnx.checker, {c['rejected originals']:3d} originals it rejects")
    total = len(models)
    print(f"{total} models converted in {time.monotonic() - started:.1f} s with {args.jobs} job(s)"
          f" (onnx {onnx.__version__}, data {root})")
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures or not models else 0


if __name__ == "__main__":
    sys.exit(main())
