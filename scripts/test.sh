#!/usr/bin/env bash
# Runs every test: the Swift test suites (unit, round trip over the ONNX backend models,
# untrusted input, CLI), then the cross-checks against onnx.checker and onnxruntime in the venv,
# then a 60-second fuzz run of the reader (scripts/fuzz-reader.sh). Needs `scripts/setup.sh
# --tests` first. The sanitizer runs (scripts/sanitize.sh) are not part of it: too slow.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
venv=${ONNX_TUNE_VENV:-$root/.venv}
python="$venv/bin/python"
[[ -x "$python" ]] || { echo "test: $python not found; run scripts/setup.sh --tests" >&2; exit 1; }
cache=${ONNX_TUNE_CACHE:-$root/cache}
export ONNX_TUNE_CACHE=$cache

swift build
surgery=$(mktemp -d)
trap 'rm -rf "$surgery"' EXIT
ONNX_TUNE_SURGERY_OUT=$surgery swift test 2>&1 | tee .build/swift-test.log | grep -E '^(round trip|conformance|✘|✔ Test run|error)|FAIL' || true
grep -qE '✔ Test run with [0-9]+ tests? .*passed' .build/swift-test.log || { echo "test: swift test failed (see .build/swift-test.log)" >&2; tail -50 .build/swift-test.log >&2; exit 1; }
if grep -q 'Executed [0-9]* tests\?, with [1-9]' .build/swift-test.log; then
  echo "test: XCTest failures (see .build/swift-test.log)" >&2; exit 1
fi

bin=$(swift build --show-bin-path)/onnx-tune
"$python" Tests/python/check_checker_roundtrip.py "$bin" "$cache"
"$python" Tests/python/check_roundtrip_ort.py "$bin" fixtures/models/*.onnx fixtures/models/*/model.onnx
"$python" Tests/python/check_run_ort.py "$bin" fixtures/models/*.onnx fixtures/models/*/model.onnx
"$python" Tests/python/check_finetune_ort.py "$bin"
"$python" Tests/python/check_surgery.py "$surgery"
# A 60-second libFuzzer run of the reader (issue 9); it fails when the toolchain cannot fuzz.
scripts/fuzz-reader.sh "${ONNX_TUNE_FUZZ_SECONDS:-60}"
echo "test: all passed"
