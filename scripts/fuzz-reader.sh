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
ASAN_OPTIONS=detect_leaks=1 "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -artifact_prefix="$scratch/crashes/" -print_final_stats=1 > "$scratch/last-run.log" 2>&1 && status=0 || status=$?
grep -E '^#[0-9]+' "$scratch/last-run.log" | tail -1
grep -E '^(stat::|Done |==[0-9]+==ERROR|SUMMARY)' "$scratch/last-run.log" || true
echo "fuzz-reader: full log in $scratch/last-run.log; crashes (if any) in $scratch/crashes/"
exit $status
