// LoRA stages keep adapters, not models: a pipeline that trains a LoRA GRM from a base, a second one from the first,
// evaluates the second and exports it. The run folder holds no full copy of the base outside the export (sizes on
// disk), the adapter model loads over its base and gives the exported (merged) model's logits, and a base changed in
// place after training is refused when the adapter model loads.
import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline } from '../../core/pipeline/runner.js';
import { saveHfCheckpoint, storedDtype } from '../../core/model/checkpoint/hf-checkpoint.js';
import { loadCheckpoint } from '../../core/model/checkpoint/load-checkpoint.js';
import type { WriteDtype } from '../../core/model/checkpoint/dtype-encode.js';
import { BAD, GOOD, tinyJudgeDir } from '../judging/tiny-judge.js';

const LORA = '{ kind: lora, r: 2, alpha: 4, lr: 0.02, steps: 3, batchSize: 4, maxLength: 128, buckets: 1, evalEvery: 0, checkpointEvery: 1000 }';

/** Run the pipeline on a copy of the tiny judge (F32), or on the tiny judge rewritten in `dtype`. */
async function lorarun(dtype?: WriteDtype): Promise<{ dir: string; runDir: string; base: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'gramr-lora-model-'));
  const base = join(dir, 'base');
  mkdirSync(base);
  const tiny = await tinyJudgeDir();
  for (const f of readdirSync(tiny)) copyFileSync(join(tiny, f), join(base, f));
  if (dtype !== undefined) {
    const ckpt = await loadCheckpoint(tiny);
    await saveHfCheckpoint(base, ckpt.config, ckpt.weights, undefined, dtype);
  }
  const rows = GOOD.flatMap((g, i) => BAD.map((b, j) => ({ id: `p${i}${j}`, prompt: 'choose', a: g, b, label: 'A' })));
  writeFileSync(join(dir, 'pairs.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(join(dir, 'p.yaml'), `name: lora
seed: 1
backend: { prefer: [cpu] }
models:
  base: { path: base }
datasets:
  pairs: { kind: jsonl, path: pairs.jsonl }
stages:
  - { stage: train-grm, id: g1, from: pairs, to: g1, objective: label-only, format: gram-r2, chat: plain, init: { from: base }, trainer: ${LORA} }
  - { stage: train-grm, id: g2, from: pairs, to: g2, objective: label-only, format: gram-r2, chat: plain, init: { from: g1 }, trainer: ${LORA} }
  - { stage: evaluate, model: g2, from: pairs, to: judged, judge: { maxTokens: 8 }, evaluator: { kind: pairwise, position: both } }
  - { stage: export, model: g2, to: g2-hf }
`);
  const r = await runPipeline(await loadAppPipeline(join(dir, 'p.yaml')), { runsDir: join(dir, 'runs'), progress: 'quiet' });
  return { dir, runDir: r.runDir, base };
}

/** Every file under `root` once per inode (hard links counted once), with its size. */
function filesOnce(root: string, skip: (rel: string) => boolean, seen = new Set<number>(), rel = ''): Array<{ rel: string; size: number }> {
  const out: Array<{ rel: string; size: number }> = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r)) continue;
    if (e.isDirectory()) out.push(...filesOnce(root, skip, seen, r));
    else if (e.isFile()) {
      const s = statSync(join(root, r));
      if (!seen.has(s.ino)) { seen.add(s.ino); out.push({ rel: r, size: s.size }); }
    }
  }
  return out;
}

async function logits(model: string, ids: number[][]): Promise<Float32Array[][]> {
  const m = await CausalLM.load(model, new CpuBackend());
  try {
    return await m.forward(ids);
  } finally {
    m.dispose();
  }
}

function maxAbsDiff(a: Float32Array[][], b: Float32Array[][]): number {
  let max = 0;
  a.forEach((row, r) => row.forEach((x, t) => x.forEach((v, k) => { max = Math.max(max, Math.abs(v - b[r]![t]![k]!)); })));
  return max;
}

test('a LoRA pipeline keeps adapters over a checked base: no full copy, merged logits, a changed base refused', async (t) => {
  const { runDir, base } = await lorarun();
  const baseBytes = statSync(join(base, 'model.safetensors')).size;
  for (const g of ['g1', 'g2']) {
    const artifact = join(runDir, g, g);
    t.true(existsSync(join(artifact, 'adapter_model.safetensors')), `${g} holds the adapter`);
    t.false(existsSync(join(artifact, 'model.safetensors')) || existsSync(join(artifact, 'config.json')), `${g} holds no full model`);
    t.false(existsSync(join(runDir, g, 'train/merged')), `${g} wrote no merged copy`);
  }
  // Disk use of the run outside the export: every weights file, hard links counted once.
  const weights = filesOnce(runDir, (rel) => rel === 'export').filter((f) => f.rel.endsWith('.safetensors'));
  const weightBytes = weights.reduce((a, f) => a + f.size, 0);
  t.log(`base ${baseBytes} bytes; weights in the run outside the export: ${weightBytes} bytes in ${weights.map((f) => `${f.rel} (${f.size})`).join(', ')}`);
  // Adapters (r 2 on every projection of a 1-layer, 32-wide model: 8% of it) and their optimizer checkpoints only.
  t.true(weights.every((f) => f.size < baseBytes / 4), 'no weights file is the size of a model');
  t.true(weightBytes < baseBytes, `all the run's weights (${weightBytes} bytes) are less than one copy of the base (${baseBytes} bytes)`);
  t.true(existsSync(join(runDir, 'export/g2-hf/model.safetensors')), 'the export is a full model');
  // Identical files are shared: the tokenizer beside each adapter is the base's, hard-linked.
  const tokInodes = new Set([base, join(runDir, 'g1/g1'), join(runDir, 'g2/g2')].map((d) => statSync(join(d, 'tokenizer.json')).ino));
  t.is(tokInodes.size, 1, 'one tokenizer.json on disk');

  // The adapter model (g2 over g1 over the base, merged as read) gives the exported, merged model's logits.
  const ids = [[1, 40, 41, 42, 43, 44, 45], [2, 50, 60, 70]];
  const viaAdapter = await logits(join(runDir, 'g2/g2'), ids);
  const viaExport = await logits(join(runDir, 'export/g2-hf'), ids);
  const viaBase = await logits(base, ids);
  t.true(maxAbsDiff(viaAdapter, viaExport) <= 1e-5, `adapter vs merged: ${maxAbsDiff(viaAdapter, viaExport)}`);
  t.true(maxAbsDiff(viaAdapter, viaBase) > 1e-4, 'the adapters changed the model');

  // A base changed in place after training: both adapter models are refused, naming the base and the hashes.
  const fd = openSync(join(base, 'model.safetensors'), 'r+');
  writeSync(fd, Buffer.from([0x7f, 0x7f]), 0, 2, statSync(join(base, 'model.safetensors')).size - 3);
  closeSync(fd);
  for (const g of ['g1', 'g2']) {
    await t.throwsAsync(CausalLM.load(join(runDir, g, g), new CpuBackend()),
      { message: /LoRA model .*g1\/g1: its base model .*base changed since the adapter was trained \(sha256 now [0-9a-f]{16}…, recorded [0-9a-f]{16}…\)/ });
  }
});

test('a BF16 base gives a BF16 export (half the bytes of F32) that reloads bit-identical to its rounded reference', async (t) => {
  const { runDir, base } = await lorarun('BF16');
  t.is(await storedDtype(base), 'BF16');
  const exported = join(runDir, 'export/g2-hf');
  t.is(await storedDtype(exported), 'BF16');
  const f32 = statSync(join(await tinyJudgeDir(), 'model.safetensors')).size;
  const bf16 = statSync(join(exported, 'model.safetensors')).size;
  t.true(bf16 < f32 * 0.55, `BF16 export ${bf16} bytes vs F32 ${f32}`);
  t.is(JSON.parse(readFileSync(join(exported, 'config.json'), 'utf8')).torch_dtype, 'bfloat16');
  const verify = JSON.parse(readFileSync(join(runDir, 'export/verify.json'), 'utf8')) as { maxAbsDiff: number; compared: number };
  t.is(verify.maxAbsDiff, 0);
  t.true(verify.compared > 0);
  // The adapter model merges in float32 over the BF16 base; the export rounds that merge to BF16.
  const ids = [[1, 40, 41, 42, 43]];
  const d = maxAbsDiff(await logits(join(runDir, 'g2/g2'), ids), await logits(exported, ids));
  t.true(d < 0.05, `adapter model vs BF16 export: ${d}`);
});
