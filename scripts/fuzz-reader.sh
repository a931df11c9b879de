#!/usr/bin/env bash
# Fuzzes the ONNX reader (and writer round trip) with libFuzzer and AddressSanitizer.
#   scripts/fuzz-reader.sh [SECONDS]     (default 60)
# Seeds: the fixture models and a sample of the ONNX backend test models. Crashes are saved in
# .build/fuzz/crashes/; reproduce one with `swift build --product fuzz-reader &&
# .build/debug/fuzz-reader FILE`, then add it to Tests as a regression case.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
cache=${ONNX_TUNE_CACHE:-$root/cache}
scratch=$root/.build/fuzz
fail() { echo "fuzz-reader: $*" >&2; exit 1; }
# libFuzzer and ASan come with the Swift toolchain (its compiler-rt, in
# <toolchain>/usr/lib/swift/clang/lib/linux), not from a Debian package: a toolchain without
# them cannot build the target, and that must stop CI rather than skip the run.
swiftc=$(command -v swiftc) || fail "swiftc is not on PATH"
rt=$(dirname "$(readlink -f "$swiftc")")/../lib/swift/clang/lib/linux
for lib in libclang_rt.fuzzer-$(uname -m).a libclang_rt.asan-$(uname -m).a; do
  [[ -f "$rt/$lib" ]] || fail "$rt/$lib is missing: this Swift toolchain cannot build a libFuzzer target (use a swift.org toolchain)"
done
swift build -c release --scratch-path "$scratch" --product fuzz-reader \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -D -Xswiftc FUZZING \
  -Xcc -fsanitize=fuzzer-no-link,address >&2
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/fuzz-reader
corpus=$scratch/corpus
mkdir -p "$corpus" "$scratch/crashes"
cp fixtures/models/*.onnx fixtures/demo/*.onnx "$corpus/" 2>/dev/null || true
if [[ -d "$cache/onnx-1.22.0/onnx/backend/test/data/node" ]]; then
  i=0
  for m in "$cache"/onnx-1.22.0/onnx/backend/test/data/node/*/model.onnx; do
    ((i++ % 8 == 0)) && cp "$m" "$corpus/node_$i.onnx"
  done
fi
seeds=$(find "$corpus" -type f | wc -l)
((seeds > 0)) || fail "no seed models in $corpus (fixtures/models, fixtures/demo, the backend test data)"
ASAN_OPTIONS=detect_leaks=1 "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix="$scratch/crashes/" -print_final_stats=1 > "$scratch/last-run.log" 2>&1 && status=0 || status=$?
grep -E '^#[0-9]+' "$scratch/last-run.log" | tail -1
grep -E '^(stat::|Done |==[0-9]+==ERROR|SUMMARY)' "$scratch/last-run.log" || true
echo "fuzz-reader: full log in $scratch/last-run.log; crashes (if any) in $scratch/crashes/"
((status == 0)) || fail "libFuzzer exited with status $status (a crash, leak, timeout or out-of-memory: see the log)"
# A run that ended without libFuzzer's summary did not fuzz: fail rather than pass silently.
runs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$scratch/last-run.log")
[[ -n "$runs" && "$runs" -gt 0 ]] || fail "libFuzzer reported no completed runs"
echo "fuzz-reader: $runs executions in $seconds s from $seeds seeds, no crash"
