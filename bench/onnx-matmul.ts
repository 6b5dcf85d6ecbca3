// Matmul through gramr's ONNX lowering vs onnxruntime's own single-MatMul model, side by side in one process
// (alternating blocks of runs, so machine noise hits both alike); both results are first checked against a
// float64 reference on sampled rows. `node --expose-gc dist/bench/onnx-matmul.js [--size 1024] [--json]`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ort from 'onnxruntime-node';
import { OnnxBackend } from '../backends/onnx/onnx-backend.js';
import { OnnxType, encodeModel } from '../backends/onnx/onnx-model.js';
import { loadOrt, sessionOptions } from '../backends/onnx/providers.js';
import { input } from '../core/tensor/primitives.js';
import { Rng } from '../core/tensor/rng.js';

/** Options of `benchOnnxMatmul`. */
export interface OnnxMatmulBenchOptions {
  /** n of the n x n x n product (default 1024). */
  size?: number;
  /** Timed runs of each path (default 15). */
  repeats?: number;
  /** Intra-op threads of both sessions (default 2). */
  threads?: number;
}

/** Timing of one path. */
export interface MatmulPathTiming {
  /** GFLOPS of the median run (2 n^3 flops). */
  gflops: number;
  /** Median milliseconds per product. */
  median_ms: number;
  /** Fastest run in milliseconds. */
  best_ms: number;
}

/** Result of the side-by-side benchmark. */
export interface OnnxMatmulBenchResult {
  /** n. */
  size: number;
  /** Intra-op threads. */
  threads: number;
  /** Plain onnxruntime: one MatMul node, session.run on prepared tensors. */
  plain_ort: MatmulPathTiming;
  /** gramr: compile(input a @ input b) on the onnx backend, run + download of the result (a copy) + free. */
  gramr: MatmulPathTiming;
  /** gramr without the download: run + free (the lowering and the backend's run path alone). */
  gramr_run: MatmulPathTiming;
  /** gramr (with download) GFLOPS / plain GFLOPS, medians. */
  ratio: number;
  /** gramr_run GFLOPS / plain GFLOPS, medians. */
  ratio_run: number;
  /** Largest |result - float64 reference| over the sampled rows, for both paths. */
  max_abs_error: number;
}

function timing(times: number[], n: number): MatmulPathTiming {
  const s = [...times].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)]!;
  return { gflops: (2 * n ** 3) / (median / 1000) / 1e9, median_ms: median, best_ms: s[0]! };
}

// Max |c - a b| over a few sampled rows, in float64.
function sampledError(a: Float32Array, b: Float32Array, c: ArrayLike<number>, n: number): number {
  let worst = 0;
  for (let r = 0; r < 8; r++) {
    const i = Math.floor((r * (n - 1)) / 7);
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += a[i * n + k]! * b[k * n + j]!;
      worst = Math.max(worst, Math.abs(c[i * n + j]! - acc) || (Number.isNaN(c[i * n + j]) ? Infinity : 0));
    }
  }
  return worst;
}

/** Times n^3 matmul through gramr's ONNX lowering and through a plain one-node ORT model, interleaved. */
export async function benchOnnxMatmul(opts: OnnxMatmulBenchOptions = {}): Promise<OnnxMatmulBenchResult> {
  const n = opts.size ?? 1024, repeats = opts.repeats ?? 15, threads = opts.threads ?? 2;
  const ort = await loadOrt();
  const rng = new Rng(1);
  const a = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  const b = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  // Plain ORT: Y = MatMul(A, B).
  const bytes = encodeModel({
    graphName: 'plain_matmul', nodes: [{ opType: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'], name: 'matmul' }], initializers: [],
    inputs: [{ name: 'A', dataType: OnnxType.FLOAT, dims: [n, n] }, { name: 'B', dataType: OnnxType.FLOAT, dims: [n, n] }],
    outputs: [{ name: 'Y', dataType: OnnxType.FLOAT, dims: [n, n] }],
  });
  const plain = await ort.InferenceSession.create(bytes, sessionOptions('cpu', threads));
  const feeds = { A: new ort.Tensor('float32', a, [n, n]), B: new ort.Tensor('float32', b, [n, n]) };
  const runPlain = async (): Promise<Float32Array> => ((await plain.run(feeds)).Y as Ort.Tensor).data as Float32Array;
  // gramr: the same product as a tensor graph on the onnx backend.
  const be = new OnnxBackend({ threads });
  await be.init();
  const graph = be.compile([input('a', [n, n]).matmul(input('b', [n, n]))]);
  const ba = be.allocate([n, n], 'f32'), bb = be.allocate([n, n], 'f32');
  be.upload(ba, a);
  be.upload(bb, b);
  const runOurs = async (download = true): Promise<ArrayLike<number>> => {
    const [c] = await be.run(graph, { a: ba, b: bb });
    try { return download ? await be.download(c!) : []; } finally { be.free(c!); }
  };
  try {
    const tolerance = 1e-6 * n ** 1.5;
    const err = Math.max(sampledError(a, b, await runPlain(), n), sampledError(a, b, await runOurs(), n));
    if (!(err <= tolerance)) throw new Error(`benchOnnxMatmul: result differs from the float64 reference at n=${n}: ${err} > ${tolerance}`);
    const tp: number[] = [], tg: number[] = [], tr: number[] = [];
    // Blocks of runs per path, alternating, the first run of each block untimed: a session's idle worker threads
    // spin for a while after its run, which would slow whichever other session runs right after it. With
    // --expose-gc, garbage is collected before each timed run so one path's garbage is not charged to the next.
    const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
    const block = async (times: number[], fn: () => Promise<unknown>, count: number): Promise<void> => {
      await fn();
      for (let i = 0; i < count; i++) {
        gc();
        const t = performance.now();
        await fn();
        times.push(performance.now() - t);
      }
    };
    const per = Math.max(1, Math.ceil(repeats / 3));
    for (let done = 0; done < repeats; done += per) {
      const k = Math.min(per, repeats - done);
      await block(tp, runPlain, k);
      await block(tg, () => runOurs(), k);
      await block(tr, () => runOurs(false), k);
    }
    const p = timing(tp, n), g = timing(tg, n), gr = timing(tr, n);
    return { size: n, threads, plain_ort: p, gramr: g, gramr_run: gr, ratio: g.gflops / p.gflops, ratio_run: gr.gflops / p.gflops, max_abs_error: err };
  } finally {
    be.dispose();
    await plain.release();
  }
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const r = await benchOnnxMatmul({ size: Number(arg('size') ?? 1024), repeats: Number(arg('repeats') ?? 15), threads: Number(arg('threads') ?? 2) });
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(r) + '\n');
  else {
    process.stdout.write(`matmul ${r.size}^3, ${r.threads} threads: plain ORT ${r.plain_ort.gflops.toFixed(1)} GFLOPS (median ${r.plain_ort.median_ms.toFixed(2)} ms), `
      + `gramr onnx ${r.gramr.gflops.toFixed(1)} GFLOPS (median ${r.gramr.median_ms.toFixed(2)} ms, incl. download; ratio ${(r.ratio * 100).toFixed(0)}%), `
      + `gramr run only ${r.gramr_run.gflops.toFixed(1)} GFLOPS (ratio ${(r.ratio_run * 100).toFixed(0)}%)\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exitCode = 1; });
}
