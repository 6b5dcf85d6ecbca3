#!/usr/bin/env bash
# Training throughput of gramr's ONNX backend vs PyTorch on the same Llama-style model, run alternately in one
# script (ROUNDS rounds, default 3) so both see the same machine. Needs a build (npx tsc -p tsconfig.json) and, for the
# PyTorch side, Debian's python3-torch + libopenblas0-pthread for /usr/bin/python3 (not installed by the project).
# Usage: bench/train-vs-torch.sh [steps]
#   env: ROUNDS=3, PY=/usr/bin/python3, OPENBLAS_NUM_THREADS=2, TORCH_THREADS=1, ONNX_FLAGS (e.g. --no-spin)
# Prints each round's ratio and the ratio of the best rounds (other load on the machine only slows a run down).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${1:-20}"
PY="${PY:-/usr/bin/python3}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"
TORCH_THREADS="${TORCH_THREADS:-1}"
ROUNDS="${ROUNDS:-3}"
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "PyTorch is not importable by $PY: apt-get install python3-torch libopenblas0-pthread (Debian 12), then re-run." >&2
  exit 2
fi
[ -f dist/bench/train.js ] || { echo "dist/bench/train.js missing: run npx tsc -p tsconfig.json first" >&2; exit 2; }
OUT="$(mktemp -d)"
for round in $(seq 1 "$ROUNDS"); do
  "$PY" bench/torch_train.py --steps "$STEPS" --threads "$TORCH_THREADS" --json > "$OUT/torch$round.json"
  # shellcheck disable=SC2086
  node dist/bench/train.js --backend onnx --steps "$STEPS" --json ${ONNX_FLAGS:-} > "$OUT/onnx$round.json"
done
node --input-type=module -e '
import { readFileSync } from "node:fs";
const [dir, rounds] = [process.argv[1], Number(process.argv[2])];
const read = (k) => Array.from({ length: rounds }, (_, i) => JSON.parse(readFileSync(`${dir}/${k}${i + 1}.json`, "utf8")));
const [torch, onnx] = [read("torch"), read("onnx")];
for (const key of ["tokens_per_s", "tokens_per_s_median"]) {
  const per = torch.map((t, i) => `${(onnx[i][key] / t[key]).toFixed(2)}x`).join(" ");
  const t = Math.max(...torch.map((r) => r[key])), o = Math.max(...onnx.map((r) => r[key]));
  console.log(`${key.padEnd(20)} best: torch ${t.toFixed(0).padStart(6)}  gramr onnx ${o.toFixed(0).padStart(6)}  ratio ${(o / t).toFixed(2)}x   (per round: ${per})`);
}
console.log(`torch: ${torch[0].provider}; onnx: ${onnx[0].provider}; loss onnx ${onnx[0].loss_first.toFixed(3)} -> ${onnx[0].loss_last.toFixed(3)}, torch ${torch[0].loss_first.toFixed(3)} -> ${torch[0].loss_last.toFixed(3)}`);
' "$OUT" "$ROUNDS"
rm -rf "$OUT"
