#!/usr/bin/env bash
# Regenerates Sources/COnnxProto from proto/onnx.proto with protoc-c.
# proto/onnx.proto is taken unchanged from the onnx==1.22.0 release (Apache-2.0, see proto/LICENSE-onnx).
# Usage: proto/regenerate.sh [OUTDIR]   (default: Sources/COnnxProto)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../Sources/COnnxProto"}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
protoc-c --proto_path="$here" --c_out="$tmp" "$here/onnx.proto"
mkdir -p "$out/include"
sed 's|#include "onnx.pb-c.h"|#include "include/onnx.pb-c.h"|' "$tmp/onnx.pb-c.c" > "$out/onnx.pb-c.c"
cp "$tmp/onnx.pb-c.h" "$out/include/onnx.pb-c.h"
