// Matmul benchmark: checks one square f32 product on a backend against a float64 reference first, then times
// repeated runs and reports GFLOPS. Writes JSON and a markdown table. `gramr bench matmul` calls benchMatmul;
// `node dist/bench/matmul.js --size 512 [--repeats 5] [--json] [--out dir]` runs it on the CPU backend.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import type { ComputeBackend } from '../core/tensor/backend.js';
import { input } from '../core/tensor/primitives.js';
import { Rng } from '../core/tensor/rng.js';

/** Options of `benchMatmul`. */
export interface MatmulBenchOptions {
  /** Backend to measure (initialized or not; init is called). */
  backend: ComputeBackend;
  /** n of the n x n x n product. */
  size: number;
  /** Timed runs after the checked one (default 5). */
  repeats?: number;
  /** Seed of the operand data (default 1). */
  seed?: number;
}

/** Result of one matmul benchmark. */
export interface MatmulBenchResult {
  /** Backend name. */
  backend: string;
  /** n of the n x n x n product. */
  size: number;
  /** Timed runs. */
  repeats: number;
  /** GFLOPS of the median run (2 n^3 flops per product). */
  gflops: number;
  /** GFLOPS of the fastest run. */
  bestGflops: number;
  /** Median seconds per product (run + download). */
  medianSeconds: number;
  /** Largest |result - float64 reference| of the checked run. */
  maxAbsError: number;
  /** The check's limit on maxAbsError. */
  tolerance: number;
}

// C = A B in float64 (i-k-j loop order: contiguous inner loop), independent of any backend kernel.
function referenceMatmul(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const x = a[i * n + k]!;
      const row = i * n, brow = k * n;
      for (let j = 0; j < n; j++) c[row + j]! += x * b[brow + j]!;
    }
  }
  return c;
}

/** Checks an n^3 f32 matmul against the float64 reference, then times `repeats` runs. Throws if the check fails. */
export async function benchMatmul(opts: MatmulBenchOptions): Promise<MatmulBenchResult> {
  const { backend, size: n } = opts;
  const repeats = opts.repeats ?? 5;
  if (!Number.isInteger(n) || n < 1) throw new Error(`benchMatmul: size must be a positive integer (got ${n})`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`benchMatmul: repeats must be a positive integer (got ${repeats})`);
  await backend.init();
  const rng = new Rng(opts.seed ?? 1);
  const a = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  const b = new Float32Array(n * n).map(() => rng.uniform(-1, 1));
  const graph = backend.compile([input('a', [n, n]).matmul(input('b', [n, n]))]);
  const ba = backend.allocate([n, n], 'f32'), bb = backend.allocate([n, n], 'f32');
  try {
    backend.upload(ba, a);
    backend.upload(bb, b);
    const once = async (): Promise<ArrayLike<number>> => {
      const [c] = await backend.run(graph, { a: ba, b: bb });
      try { return await backend.download(c!); } finally { backend.free(c!); }
    };
    // Check before timing: a fast wrong kernel must not produce a number.
    const got = await once();
    const want = referenceMatmul(a, b, n);
    let maxAbsError = 0;
    for (let i = 0; i < want.length; i++) maxAbsError = Math.max(maxAbsError, Math.abs(got[i]! - want[i]!) || (Number.isNaN(got[i]) ? Infinity : 0));
    const tolerance = 1e-6 * n ** 1.5; // f32 accumulation error grows with K; a wrong result is off by O(sqrt(n))
    if (!(maxAbsError <= tolerance)) {
      throw new Error(`benchMatmul: ${backend.name} result differs from the float64 reference at n=${n}: max |error| ${maxAbsError} > ${tolerance}`);
    }
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await once();
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((x, y) => x - y);
    const median = times[Math.floor(times.length / 2)]!;
    const flops = 2 * n ** 3;
    return {
      backend: backend.name, size: n, repeats, gflops: flops / median / 1e9, bestGflops: flops / times[0]! / 1e9,
      medianSeconds: median, maxAbsError, tolerance,
    };
  } finally {
    backend.free(ba);
    backend.free(bb);
  }
}

/** A markdown table of results. */
export function matmulMarkdown(results: readonly MatmulBenchResult[]): string {
  const rows = results.map((r) => `| ${r.backend} | ${r.size} | ${r.gflops.toFixed(2)} | ${r.bestGflops.toFixed(2)} | ${(r.medianSeconds * 1000).toFixed(1)} | ${r.maxAbsError.toExponential(2)} |`);
  return ['| backend | n | GFLOPS (median) | GFLOPS (best) | ms (median) | max abs error |', '|---|---|---|---|---|---|', ...rows].join('\n') + '\n';
}

/** Writes `matmul.json` and `matmul.md` into `dir`; returns their paths. */
export async function writeMatmulReport(results: readonly MatmulBenchResult[], dir: string): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, 'matmul.json'), markdown = path.join(dir, 'matmul.md');
  await writeFile(json, JSON.stringify(results, null, 2) + '\n');
  await writeFile(markdown, matmulMarkdown(results));
  return { json, markdown };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const sizes = (arg('size') ?? '512').split(',').map(Number);
  const results: MatmulBenchResult[] = [];
  for (const size of sizes) results.push(await benchMatmul({ backend: new CpuBackend(), size, repeats: Number(arg('repeats') ?? 5) }));
  const out = arg('out');
  if (out) await writeMatmulReport(results, out);
  process.stdout.write(argv.includes('--json') ? JSON.stringify(results.length === 1 ? results[0] : results) + '\n' : matmulMarkdown(results));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
}
