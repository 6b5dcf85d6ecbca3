// Generation benchmark: greedy decoding of N tokens (default 256) with the KV cache on stories260K (llama2.c's
// tiny Llama). Checks the first 60 greedy tokens against llama2.c's run.c output before timing anything, then
// reports generated tokens per second (median of `repeats` runs after `warmup` untimed ones, programs compiled).
// `node dist/bench/generate.js [--backend cpu|onnx] [--tokens 256] [--repeats 3] [--json]` runs it standalone.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../backends/onnx/onnx-backend.js';
import { CausalLM } from '../core/model/causal-lm.js';
import type { ComputeBackend } from '../core/tensor/backend.js';

/** The stories260K files, relative to the repository root (the benchmark runs from there). */
export const STORIES_260K = { model: 'test/fixtures/data/stories260K/stories260K.bin', tokenizer: 'test/fixtures/data/stories260K/tok512.bin' };

/** llama2.c run.c's greedy continuation of "Once upon a time" (with BOS) on stories260K: the correctness check. */
export const STORIES_260K_GREEDY_60 = [
  432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282,
  295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432,
  398, 312, 286, 267, 414, 270, 333, 415, 426, 13, 438, 310,
];

/**
 * The peer: llama2.c run.c (-O3, one thread) on stories260K on the project machine kind, as documented in
 * bench/README.md (run.c cannot be fetched here, so the figure is not re-measured).
 */
export const LLAMA2C_TOKENS_PER_S = 5200;

/** Options of `benchGenerate`. */
export interface GenerateBenchOptions {
  /** Backend to measure (init is called). */
  backend: ComputeBackend;
  /** Tokens to generate per run (default 256). */
  tokens?: number;
  /** Timed runs (default 3). */
  repeats?: number;
  /** Untimed runs after the check, so JS code is optimized before timing as a compiled peer's is (default 2). */
  warmup?: number;
}

/** Result of the generation benchmark. */
export interface GenerateBenchResult {
  /** Backend name. */
  backend: string;
  /** Generated tokens per run. */
  tokens: number;
  /** Timed runs. */
  repeats: number;
  /** Generated tokens per second of the median run (prefill included). */
  tokens_per_s: number;
  /** Of the fastest run. */
  best_tokens_per_s: number;
  /** Median seconds per run. */
  median_s: number;
  /** Programs compiled over the whole benchmark (prefill, decode and growth per bucket; not per token). */
  compiles: number;
  /** Median tokens/s over llama2.c's documented single-threaded figure (LLAMA2C_TOKENS_PER_S). */
  vs_llama2c: number;
  /**
   * Generated tokens per second of this process's CPU time (user + system, median run): close to what an idle
   * machine gives when other work loads this one, as long as the backend runs one thread.
   */
  cpu_tokens_per_s: number;
}

/** Checks greedy output against llama2.c, then times greedy generation of `tokens` tokens. Throws if the check fails. */
export async function benchGenerate(opts: GenerateBenchOptions): Promise<GenerateBenchResult> {
  const tokens = opts.tokens ?? 256, repeats = opts.repeats ?? 3;
  if (!Number.isInteger(tokens) || tokens < 60) throw new Error(`benchGenerate: tokens must be an integer >= 60 (got ${tokens})`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`benchGenerate: repeats must be a positive integer (got ${repeats})`);
  await opts.backend.init();
  const model = await CausalLM.load(path.resolve(STORIES_260K.model), opts.backend, { tokenizer: path.resolve(STORIES_260K.tokenizer) });
  try {
    const run = async (): Promise<number[]> => (await model.generate(['Once upon a time'], { maxTokens: tokens, ignoreEos: true }))[0]!.tokens;
    // Check before timing (this run also compiles every program the timed runs use).
    const first = (await run()).slice(0, 60);
    if (first.join(' ') !== STORIES_260K_GREEDY_60.join(' ')) {
      throw new Error(`benchGenerate: ${opts.backend.name} greedy tokens differ from llama2.c's:\n  got  ${first.join(' ')}\n  want ${STORIES_260K_GREEDY_60.join(' ')}`);
    }
    for (let w = 0; w < (opts.warmup ?? 2); w++) await run();
    const times: number[] = [], cpu: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const n = (await run()).length;
      if (n !== tokens) throw new Error(`benchGenerate: generated ${n} tokens, expected ${tokens}`);
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    return {
      backend: opts.backend.name, tokens, repeats, tokens_per_s: tokens / median, best_tokens_per_s: tokens / times[0]!,
      median_s: median, compiles: model.stats.compiles, vs_llama2c: tokens / median / LLAMA2C_TOKENS_PER_S,
      cpu_tokens_per_s: tokens / cpu[Math.floor(cpu.length / 2)]!,
    };
  } finally {
    model.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const name = arg('backend') ?? 'cpu';
  if (name !== 'cpu' && name !== 'onnx') throw new Error(`--backend must be cpu or onnx, got '${name}'`);
  const backend = name === 'onnx' ? new OnnxBackend({ threads: Number(arg('threads') ?? 2) }) : new CpuBackend();
  const r = await benchGenerate({ backend, tokens: Number(arg('tokens') ?? 256), repeats: Number(arg('repeats') ?? 3) });
  backend.dispose();
  process.stdout.write(argv.includes('--json') ? JSON.stringify(r) + '\n'
    : `generate ${r.tokens} tokens (stories260K, greedy, KV cache) on ${r.backend}: ${r.tokens_per_s.toFixed(0)} tokens/s median, ${r.best_tokens_per_s.toFixed(0)} best `
      + `(${(r.tokens_per_s / LLAMA2C_TOKENS_PER_S).toFixed(2)}x / ${(r.best_tokens_per_s / LLAMA2C_TOKENS_PER_S).toFixed(2)}x llama2.c's documented ${LLAMA2C_TOKENS_PER_S}); `
      + `${r.cpu_tokens_per_s.toFixed(0)} tokens per CPU-second; ${r.compiles} programs compiled\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
}
