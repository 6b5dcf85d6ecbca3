// Concurrency benchmark of the runner: a pipeline of two independent single-threaded training stages (train-grm,
// onnxruntime with one thread, models from scratch on generated arithmetic data), run with --jobs 1 and --jobs 2.
// Reports both wall times and their ratio, and refuses to report a ratio unless every artifact is byte-identical
// between the two runs (JSON files compared without their timing fields: wall clock, tokens/s). Each run starts from
// an empty run folder.
// `node dist/bench/pipeline-jobs.js [--steps 150] [--count 200] [--repeats 1] [--pair balanced|mixed] [--json]`
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const cli = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * The bench pipeline: two train-grm stages that share only their (generated) dataset. `balanced` (the default): two
 * label-only GRMs with trainer seeds 1 and 2, the same work each, so the ideal --jobs 2 time is half of --jobs 1;
 * `mixed`: a label-only and a Bradley-Terry GRM, which take about 14 and 10 s at 150 steps, so even a perfect
 * runner gets no better than ~0.58 of --jobs 1 there (the longer stage is the critical path).
 */
export function benchPipeline(steps: number, count: number, pair: 'balanced' | 'mixed' = 'balanced'): string {
  const trainer = (seed: number): string => `{ kind: full, steps: ${steps}, batchSize: 16, lr: 0.002, maxLength: 256, evalEvery: 0, buckets: 2, checkpointEvery: 1000, seed: ${seed} }`;
  const init = '{ scratch: { hiddenSize: 64, layers: 2, heads: 4, intermediate: 176, maxPositions: 256 } }';
  const second = pair === 'balanced'
    ? `{ stage: train-grm, id: label-only-2, from: train, to: grm-label-only-2, objective: label-only, init: ${init}, trainer: ${trainer(2)} }`
    : `{ stage: train-grm, id: bradley-terry, from: train, to: grm-bt, objective: bradley-terry, init: ${init}, trainer: ${trainer(1)} }`;
  return `name: bench-jobs
seed: 1
backend: { prefer: [onnx, cpu], options: { onnx: { threads: 1 } } }
datasets:
  train: { kind: verifiable-math, split: labeled, count: ${count} }
stages:
  - { stage: train-grm, id: label-only, from: train, to: grm-label-only, objective: label-only, init: ${init}, trainer: ${trainer(1)} }
  - ${second}
`;
}

/** Timing fields, the only thing allowed to differ between the runs (wall clock, tokens per second). */
const TIMING_KEYS = new Set(['timing', 'tokensPerSecond']);
const withoutTimings = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(withoutTimings);
  if (typeof v === 'string') return v.replace(/\d+(\.\d+)? tokens\/s/g, '<n> tokens/s');
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !TIMING_KEYS.has(k)).map(([k, x]) => [k, withoutTimings(x)]));
};

/**
 * Every file of a run folder by relative path: JSON files without their timing fields, everything else (weights,
 * tokenizers, records) as its sha256. Event logs (timestamps only differ) are left out.
 */
function contents(runDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const file = path.join(d, e.name);
      if (e.isDirectory()) walk(file, r);
      else if (e.name === 'events.jsonl') continue;
      else if (e.name.endsWith('.json')) out.set(r, JSON.stringify(withoutTimings(JSON.parse(readFileSync(file, 'utf8')))));
      else out.set(r, createHash('sha256').update(readFileSync(file)).digest('hex'));
    }
  };
  walk(runDir, '');
  return out;
}

/** Run with `jobs` in a fresh `runs` folder (the same path every time: manifests record absolute paths). */
function runOnce(dir: string, jobs: number): { seconds: number; files: Map<string, string>; backend: string; stageS: number; each: number[] } {
  const runs = path.join(dir, 'runs');
  rmSync(runs, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'run', 'p.yaml', '--jobs', String(jobs), '--json'], { cwd: dir, encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`gramr run --jobs ${jobs} failed (exit ${r.status}): ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { backend: { chain: string }; stageMs: number; stages: Array<{ ms: number }> };
  return { seconds, files: contents(path.join(runs, 'bench-jobs')), backend: summary.backend.chain, stageS: summary.stageMs / 1000, each: summary.stages.map((x) => x.ms / 1000) };
}

const { values } = parseArgs({ options: { steps: { type: 'string', default: '150' }, count: { type: 'string', default: '200' },
  repeats: { type: 'string', default: '1' }, pair: { type: 'string', default: 'balanced' }, json: { type: 'boolean' } } });
if (values.pair !== 'balanced' && values.pair !== 'mixed') throw new Error(`--pair must be balanced or mixed, got ${values.pair}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'gramr-bench-jobs-'));
writeFileSync(path.join(dir, 'p.yaml'), benchPipeline(Number(values.steps), Number(values.count), values.pair));
const rows: Array<{ jobs1_s: number; jobs2_s: number; ratio: number; jobs1_stages_s: number; jobs2_stages_s: number; jobs1_each_s: number[]; jobs2_each_s: number[]; load_before: number; load_after: number }> = [];
let backend = '';
try {
  for (let i = 0; i < Number(values.repeats); i++) {
    const loadBefore = os.loadavg()[0];
    const one = runOnce(dir, 1);
    const two = runOnce(dir, 2);
    backend = one.backend;
    const a = [...one.files], b = [...two.files];
    const diff = a.filter(([k, v]) => two.files.get(k) !== v).map(([k]) => k).concat(b.filter(([k]) => !one.files.has(k)).map(([k]) => k));
    if (diff.length) throw new Error(`artifacts differ between --jobs 1 and --jobs 2: ${diff.join(', ')}; no timing reported`);
    rows.push({ jobs1_s: one.seconds, jobs2_s: two.seconds, ratio: two.seconds / one.seconds, jobs1_stages_s: one.stageS, jobs2_stages_s: two.stageS, jobs1_each_s: one.each, jobs2_each_s: two.each, load_before: loadBefore, load_after: os.loadavg()[0] });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = { backend, pair: values.pair, steps: Number(values.steps), count: Number(values.count), cores: os.availableParallelism(), identical: true, runs: rows };
if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
else {
  process.stdout.write(`backend ${backend}, ${result.cores} cores, two train-grm stages (${result.pair}) of ${result.steps} steps; artifacts byte-identical\n`);
  const each = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(' + ');
  for (const r of rows) process.stdout.write(`--jobs 1: ${r.jobs1_s.toFixed(1)} s   --jobs 2: ${r.jobs2_s.toFixed(1)} s   ratio ${r.ratio.toFixed(2)}   stages ${each(r.jobs1_each_s)} s / ${each(r.jobs2_each_s)} s   (load average ${r.load_before.toFixed(1)} -> ${r.load_after.toFixed(1)})\n`);
}
