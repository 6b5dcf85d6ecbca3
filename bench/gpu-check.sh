#!/usr/bin/env bash
# The GPU check of the WebGPU backend (issue 6), for a machine with a real GPU: the conformance suite and the WebGPU
# tests (models, training) on the GPU adapter, then matmul GFLOPS and stories260K generation tokens/s on webgpu beside
# the onnx backend (CPU EP) as the peer in the same script. Prints a summary; about 3-6 minutes.
# Needs: node_modules and a build (dist/) from this checkout — or `.gpu-pack.tgz` from bench/gpu-pack.sh, unpacked
# here when they are missing (GPU machines cannot reach the npm registry) — and ../shared/data. From the repo root:
#   bash bench/gpu-check.sh [out-dir]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-${OUT:-runs/gpu-check}}
mkdir -p "$out"
export GRAMR_REQUIRE_WEBGPU=1
if { [ ! -d node_modules ] || [ ! -d dist ]; } && [ -f .gpu-pack.tgz ]; then tar xzf .gpu-pack.tgz; fi
[ -d dist ] || npx tsc -p tsconfig.json
gramr() { node dist/cli/main.js "$@"; }
summary="$out/summary.txt"
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }

say "== gpu-check $(date -u +%FT%TZ) on $(hostname)"
say "adapter: $(node --input-type=module -e "const { WebGpuBackend } = await import('./dist/backends/webgpu/webgpu-backend.js'); const b = new WebGpuBackend(); await b.init(); console.log(b.adapter + (b.software ? ' (SOFTWARE: not a GPU)' : '')); b.dispose();" 2>/dev/null | tail -1)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu: /' | tee -a "$summary"

# 1. Correctness on the GPU: conformance (fused + unfused), backend machinery, kernels, models, training.
timeout 300 npx ava --timeout=4m dist/test/conformance/webgpu.test.js dist/test/webgpu/ > "$out/tests.log" 2>&1
rc=$?
say "tests: rc=$rc; $(grep -Ec '^ *✔ ' "$out/tests.log") passed, $(grep -Ec '^ *✘ ' "$out/tests.log") failed (log: $out/tests.log)"
grep -E '^ *✘ ' "$out/tests.log" | head -20 | tee -a "$summary"

# 2. Speed: webgpu beside the onnx CPU EP (the peer), same script, same machine.
for n in 1024 2048; do
  for be in webgpu onnx; do
    timeout 120 node dist/cli/main.js bench matmul --backend "$be" --size "$n" --repeats 10 --json > "$out/matmul-$be-$n.json" 2> "$out/matmul-$be-$n.err" \
      && say "matmul $n^3 $be: $(node -e "const r=JSON.parse(require('fs').readFileSync('$out/matmul-$be-$n.json','utf8'));const x=r.results?.[0]??r;console.log(x.gflops.toFixed(1)+' GFLOPS median, '+x.bestGflops.toFixed(1)+' best')")" \
      || say "matmul $n^3 $be: failed (see $out/matmul-$be-$n.err)"
  done
done
for be in webgpu onnx; do
  timeout 180 node dist/cli/main.js bench generate --backend "$be" --tokens 256 --json > "$out/generate-$be.json" 2> "$out/generate-$be.err" \
    && say "generate stories260K $be: $(node -e "const r=JSON.parse(require('fs').readFileSync('$out/generate-$be.json','utf8'));const x=r.results?.[0]??r;console.log(Math.round(x.tokens_per_s)+' tokens/s median')")" \
    || say "generate $be: failed (see $out/generate-$be.err)"
done
say "== done"
