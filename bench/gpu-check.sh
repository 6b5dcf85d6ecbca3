#!/usr/bin/env bash
# The GPU check of the WebGPU backend (issue 6), for a machine with a real GPU: the conformance suite and the WebGPU
# tests (models, training) on the GPU adapter, then matmul GFLOPS and stories260K generation tokens/s on webgpu beside
# the onnx backend (CPU EP) as the peer in the same script; then the real-scale section (a 0.4B checkpoint on the
# CUDA provider, Dawn WebGPU and the CPU EP, and judging throughput). Prints a summary; about 6-8 minutes.
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
# 3. Real scale (issue 18): a random checkpoint in Qwen2.5-0.5B's shapes (0.4B parameters, 1.6 GB F32), written here
# (it cannot travel with the tree), then load, first token, prefill and decode at batch 1/8/32 and peak RSS on the
# CUDA provider, on Dawn WebGPU, and on the CPU EP as the peer; then GRAM-R² judging pairs/s at batch 1 and 32 on
# CUDA. Each step has its own time limit so the whole check stays within about 8 minutes.
scale=.tmp/bench-scale/qwen2.5-0.5b-f32
tok=${GRAMR_DATA:-../shared/data}/gpt2-tokenizer/tokenizer.json
[ -f "$tok" ] || tok=test/fixtures/data/gpt2-tokenizer/tokenizer.json
timeout 120 node --input-type=module -e "const { ensureScaleCheckpoint } = await import('./dist/bench/scale-checkpoint.js'); await ensureScaleCheckpoint('qwen2.5-0.5b', '$scale', '$tok', 'F32');" > "$out/scale-write.log" 2>&1 \
  || say "scale: writing the checkpoint failed (see $out/scale-write.log)"
for run in "cuda:--provider cuda" "dawn-webgpu:--backend webgpu" "cpu-ep:--backend onnx"; do
  name=${run%%:*}
  timeout 150 node dist/bench/scale-run.js --model "$scale" ${run#*:} --batches 1,8,32 --tokens 16 > "$out/scale-$name.json" 2> "$out/scale-$name.err" \
    && say "scale 0.4B $name: $(node -e "const x=JSON.parse(require('fs').readFileSync('$out/scale-$name.json','utf8').trim().split('\n').pop());console.log('load '+x.load_s.toFixed(1)+' s, first token '+x.ttft_s.toFixed(1)+' s, prefill '+x.prefill_tokens_per_s.toFixed(0)+' tokens/s, decode b1/b8/b32 '+Object.values(x.decode_tokens_per_s).map(v=>v.toFixed(0)).join('/')+' tokens/s, peak RSS '+(x.peak_rss/1e9).toFixed(2)+' GB')")" \
    || say "scale 0.4B $name: failed or over its time limit (see $out/scale-$name.err)"
done
timeout 180 node dist/bench/scale-judge.js --model "$scale" --provider cuda --tokens 128 --runs continuous:1:2,continuous:32:32 > "$out/scale-judge-cuda.jsonl" 2> "$out/scale-judge-cuda.err" \
  && say "judging 0.4B cuda: $(tail -1 "$out/scale-judge-cuda.jsonl")" || say "judging 0.4B cuda: failed or over its time limit (see $out/scale-judge-cuda.err)"
say "== done"
