#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for onnx-tune.
#   scripts/setup.sh           Debian packages the build needs (C libraries, protoc-c).
#   scripts/setup.sh --tests   ...plus a Python venv (.venv) with onnx and onnxruntime for the
#                              cross-checks, the test data cache (scripts/fetch-test-data.sh),
#                              GNU time (memory bounds in CLITests), and a check that the Swift
#                              toolchain has the libFuzzer and sanitizer runtimes.
# The Swift 6.3 toolchain is expected on PATH (swift --version).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tests=0
[[ "${1:-}" == "--tests" ]] && tests=1

packages=(libprotobuf-c-dev protobuf-c-compiler libopenblas-dev libpng-dev libjpeg62-turbo-dev pkg-config)
[[ $tests == 1 ]] && packages+=(python3-venv time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) != 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null || { echo "setup: swift (6.3) is not on PATH" >&2; exit 1; }
if [[ $tests == 1 ]]; then
  # scripts/fuzz-reader.sh (run by scripts/test.sh) and scripts/sanitize.sh link the toolchain's
  # own sanitizer runtimes (compiler-rt); Debian's libclang-rt does not match its clang.
  rt=$(dirname "$(readlink -f "$(command -v swiftc)")")/../lib/swift/clang/lib/linux
  for lib in fuzzer asan tsan; do
    [[ -f "$rt/libclang_rt.$lib-$(uname -m).a" ]] || {
      echo "setup: $rt/libclang_rt.$lib-$(uname -m).a is missing: this Swift toolchain cannot fuzz or sanitize (use a swift.org toolchain)" >&2
      exit 1
    }
  done
fi

if [[ $tests == 1 ]]; then
  venv=${ONNX_TUNE_VENV:-$root/.venv}
  if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv" 2>/dev/null || { rm -rf "$venv"; python3 -m venv --without-pip "$venv" && "$venv/bin/python" -m ensurepip -q; }
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
  PYTHON="$venv/bin/python" bash "$root/scripts/fetch-test-data.sh"
fi
