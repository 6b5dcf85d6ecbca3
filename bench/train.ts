// Training-throughput benchmark: the Llama-style benchmark model (bench-model.ts) trained with AdamW through
// TrainStep on one backend; reports tokens/s over timed steps after warmup (the first step compiles and creates
// the session). `node dist/bench/train.js --backend onnx|cpu [--steps 20] [--threads 2] [--no-spin] [--json]`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../backends/onnx/onnx-backend.js';
import type { ComputeBackend } from '../core/tensor/backend.js';
import { AdamW } from '../core/tensor/optim/adamw.js';
import { TrainStep } from '../core/tensor/train-step.js';
import { BENCH_MODEL, benchBatch, benchLoss, initBenchParams, type BenchModelConfig } from './bench-model.js';

/** Options of `benchTrain`. */
export interface TrainBenchOptions {
  /** Backend to train on (init is called). */
  backend: ComputeBackend;
  /** Model and batch sizes (default BENCH_MODEL). */
  model?: Partial<BenchModelConfig>;
  /** Timed steps (default 20). */
  steps?: number;
  /** Untimed steps first (default 2; the first compiles). */
  warmup?: number;
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Parameter seed (default 1). */
  seed?: number;
}

/** Result of one training benchmark. */
export interface TrainBenchResult {
  /** Backend name. */
  backend: string;
  /** Execution provider, when the backend reports one. */
  provider?: string;
  /** Training tokens per second over the timed steps (batch * seq per step, mean step time). */
  tokens_per_s: number;
  /** Tokens per second at the median step time (less sensitive to other load on the machine). */
  tokens_per_s_median: number;
  /** Median milliseconds per step. */
  median_step_ms: number;
  /** Mean milliseconds per step. */
  mean_step_ms: number;
  /** Milliseconds of the first step (graph build, compile, session creation, run). */
  first_step_ms: number;
  /** Milliseconds to build the training graph (autodiff + compile) in the TrainStep constructor. */
  build_ms: number;
  /** Timed steps. */
  steps: number;
  /** Tokens per step. */
  tokens_per_step: number;
  /** Loss of the first and the last step. */
  loss_first: number;
  /** Loss of the last step. */
  loss_last: number;
  /** Number of parameters. */
  params: number;
  /** Model configuration used. */
  model: BenchModelConfig;
}

/** Trains the benchmark model for warmup + steps AdamW steps and measures throughput. */
export async function benchTrain(opts: TrainBenchOptions): Promise<TrainBenchResult> {
  const model = { ...BENCH_MODEL, ...opts.model };
  const steps = opts.steps ?? 20, warmup = opts.warmup ?? 2;
  const be = opts.backend;
  await be.init();
  const params = initBenchParams(model, opts.seed ?? 1);
  const t0 = performance.now();
  const trainer = new TrainStep({
    backend: be, params,
    batch: { ids: { shape: [model.batch, model.seq], dtype: 'i32' }, targets: { shape: [model.batch, model.seq], dtype: 'i32' } },
    loss: (p, b) => benchLoss(model, p, b), optimizer: new AdamW({ weightDecay: 0.01 }), lr: opts.lr ?? 1e-3, clipNorm: 1,
  });
  const buildMs = performance.now() - t0;
  const batches = Array.from({ length: 4 }, (_, i) => benchBatch(model, 100 + i));
  const times: number[] = [];
  let first = 0, lossFirst = NaN, lossLast = NaN;
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const t = performance.now();
      const r = await trainer.step(batches[s % batches.length]!);
      const ms = performance.now() - t;
      if (s === 0) { first = ms; lossFirst = r.loss; }
      if (s >= warmup) times.push(ms);
      lossLast = r.loss;
    }
  } finally {
    trainer.dispose();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const tokens = model.batch * model.seq;
  const caps = be.capabilities() as { provider?: string };
  return {
    backend: be.name, provider: caps.provider, tokens_per_s: tokens / (mean / 1000),
    tokens_per_s_median: tokens / (sorted[Math.floor(sorted.length / 2)]! / 1000), median_step_ms: sorted[Math.floor(sorted.length / 2)]!,
    mean_step_ms: mean, first_step_ms: first, build_ms: buildMs, steps, tokens_per_step: tokens, loss_first: lossFirst, loss_last: lossLast,
    params: Object.values(params).reduce((n, p) => n + p.data.length, 0), model,
  };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const name = arg('backend') ?? 'onnx';
  const threads = Number(arg('threads') ?? 2);
  const backend = name === 'cpu' ? new CpuBackend() : new OnnxBackend({ threads, spinning: !argv.includes('--no-spin') });
  const r = await benchTrain({ backend, steps: Number(arg('steps') ?? 20), warmup: Number(arg('warmup') ?? 2) });
  backend.dispose();
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(`${r.backend}${r.provider ? `/${r.provider}` : ''}: ${r.tokens_per_s.toFixed(0)} tokens/s (${r.tokens_per_s_median.toFixed(0)} at the median step) `
      + `(mean ${r.mean_step_ms.toFixed(1)} ms/step, median ${r.median_step_ms.toFixed(1)}, first ${r.first_step_ms.toFixed(0)} ms, `
      + `graph build ${r.build_ms.toFixed(0)} ms; loss ${r.loss_first.toFixed(3)} -> ${r.loss_last.toFixed(3)}, ${r.params} params)\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exitCode = 1; });
}
