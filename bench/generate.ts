// Generation benchmark: greedy decoding of N tokens (default 256) with the KV cache on stories260K (llama2.c's
// tiny Llama). Checks the first 60 greedy tokens against llama2.c's run.c output before timing anything, then
// reports generated tokens per second (median of `repeats` runs after `warmup` untimed ones, programs compiled),
// with llama2.c's run.c run after each timed run when its source is in the peers folder (llama2c-peer.ts).
// `node dist/bench/generate.js [--backend cpu|onnx] [--tokens 256] [--repeats 3] [--peers DIR] [--json]` runs it standalone.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import { OnnxBackend } from '../backends/onnx/onnx-backend.js';
import { CausalLM } from '../core/model/causal-lm.js';
import type { GenerationResult } from '../core/model/generate.js';
import type { ComputeBackend } from '../core/tensor/backend.js';
import { buildLlama2c, checkLlama2cText, findLlama2c, runLlama2c, type Llama2cRun } from './llama2c-peer.js';

const PROMPT = 'Once upon a time';

/** The stories260K files, relative to the repository root (the benchmark runs from there). */
export const STORIES_260K = { model: 'test/fixtures/data/stories260K/stories260K.bin', tokenizer: 'test/fixtures/data/stories260K/tok512.bin' };

/** llama2.c run.c's greedy continuation of "Once upon a time" (with BOS) on stories260K: the correctness check. */
export const STORIES_260K_GREEDY_60 = [
  432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282,
  295, 433, 426, 385, 328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267, 337, 335, 312, 432,
  398, 312, 286, 267, 414, 270, 333, 415, 426, 13, 438, 310,
];

/**
 * llama2.c run.c (-O3, one thread) on stories260K on the project machine kind, as documented in bench/README.md:
 * the figure reported against when its source is not in the peers folder (bench/llama2c-peer.ts).
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
  /** The peers folder holding llama2c/ (default: GRAMR_PEERS, else ../shared/peers); false: do not run llama2.c. */
  peers?: string | false;
}

/** llama2.c run side by side: one run of each build after each timed gramr run. */
export interface Llama2cSideBySide {
  /** `run-O3` (gcc -O3, one thread): median and best tokens/s over the rounds. */
  o3_tokens_per_s: number;
  /** Best `run-O3` round. */
  o3_best_tokens_per_s: number;
  /** `run-fast` (-Ofast -march=native): median tokens/s. */
  fast_tokens_per_s: number;
  /** Rounds (= gramr's timed runs). */
  rounds: number;
  /** Positions each run stepped through (prompt with BOS + generated tokens). */
  steps: number;
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
  /** Median tokens/s over llama2.c's: run-O3 measured in this run when present, else the documented figure. */
  vs_llama2c: number;
  /** Where vs_llama2c's llama2.c figure comes from. */
  llama2c_source: 'measured' | 'documented';
  /** llama2.c measured side by side (its greedy text checked against gramr's), when its source was found. */
  llama2c?: Llama2cSideBySide;
  /** Why llama2.c was not run, when it was not. */
  llama2c_absent?: string;
  /**
   * Generated tokens per second of this process's CPU time (user + system, median run): close to what an idle
   * machine gives when other work loads this one, as long as the backend runs one thread.
   */
  cpu_tokens_per_s: number;
}

/**
 * Checks greedy output against llama2.c, then times greedy generation of `tokens` tokens; with llama2.c's source
 * in the peers folder, builds it and runs it after each timed run (its text checked first). Throws if a check fails.
 */
export async function benchGenerate(opts: GenerateBenchOptions): Promise<GenerateBenchResult> {
  const tokens = opts.tokens ?? 256, repeats = opts.repeats ?? 3;
  if (!Number.isInteger(tokens) || tokens < 60) throw new Error(`benchGenerate: tokens must be an integer >= 60 (got ${tokens})`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`benchGenerate: repeats must be a positive integer (got ${repeats})`);
  await opts.backend.init();
  const found = opts.peers === false ? { absent: 'llama2.c not run (disabled)' } : await findLlama2c(opts.peers);
  const build = 'dir' in found ? await buildLlama2c(found.dir) : undefined;
  const model = await CausalLM.load(path.resolve(STORIES_260K.model), opts.backend, { tokenizer: path.resolve(STORIES_260K.tokenizer) });
  try {
    const generate = async (): Promise<GenerationResult> => (await model.generate([PROMPT], { maxTokens: tokens, ignoreEos: true }))[0]!;
    // Check before timing (this run also compiles every program the timed runs use).
    const checked = await generate();
    const first = checked.tokens.slice(0, 60);
    if (first.join(' ') !== STORIES_260K_GREEDY_60.join(' ')) {
      throw new Error(`benchGenerate: ${opts.backend.name} greedy tokens differ from llama2.c's:\n  got  ${first.join(' ')}\n  want ${STORIES_260K_GREEDY_60.join(' ')}`);
    }
    const steps = checked.promptIds.length + tokens;
    const peer = build && ((bin: string): Promise<Llama2cRun> => runLlama2c(bin, path.resolve(STORIES_260K.model), path.resolve(STORIES_260K.tokenizer), PROMPT, steps));
    if (peer) checkLlama2cText((await peer(build!.o3)).text, PROMPT + checked.text);
    for (let w = 0; w < (opts.warmup ?? 2); w++) await generate();
    const times: number[] = [], cpu: number[] = [], o3: number[] = [], fast: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now(), c0 = process.cpuUsage();
      const n = (await generate()).tokens.length;
      if (n !== tokens) throw new Error(`benchGenerate: generated ${n} tokens, expected ${tokens}`);
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
      if (peer) { o3.push((await peer(build!.o3)).tokensPerS); fast.push((await peer(build!.fast)).tokensPerS); }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const med = median(times), peerTps = peer ? median(o3) : LLAMA2C_TOKENS_PER_S;
    return {
      backend: opts.backend.name, tokens, repeats, tokens_per_s: tokens / med, best_tokens_per_s: tokens / Math.min(...times),
      median_s: med, compiles: model.stats.compiles, vs_llama2c: tokens / med / peerTps, llama2c_source: peer ? 'measured' : 'documented',
      cpu_tokens_per_s: tokens / median(cpu),
      ...(peer ? { llama2c: { o3_tokens_per_s: median(o3), o3_best_tokens_per_s: Math.max(...o3), fast_tokens_per_s: median(fast), rounds: repeats, steps } }
        : { llama2c_absent: (found as { absent: string }).absent }),
    };
  } finally {
    model.dispose();
    await build?.remove();
  }
}

/** The text form of a result: gramr's figures, then llama2.c's beside them (or why it was not run). */
export function generateText(r: GenerateBenchResult): string {
  const own = `generate ${r.tokens} tokens (stories260K, greedy, KV cache) on ${r.backend}: ${r.tokens_per_s.toFixed(0)} tokens/s median, ${r.best_tokens_per_s.toFixed(0)} best; `
    + `${r.cpu_tokens_per_s.toFixed(0)} tokens per CPU-second; ${r.compiles} programs compiled`;
  const p = r.llama2c;
  return p
    ? `${own}\nllama2.c side by side (${p.rounds} alternating rounds, ${p.steps} positions, text checked): run-O3 ${p.o3_tokens_per_s.toFixed(0)} tokens/s median, ${p.o3_best_tokens_per_s.toFixed(0)} best; run-fast ${p.fast_tokens_per_s.toFixed(0)}; gramr / run-O3 ${r.vs_llama2c.toFixed(2)}x`
    : `${own}\n${r.llama2c_absent}: gramr alone (vs llama2.c's documented ${LLAMA2C_TOKENS_PER_S} tokens/s: ${r.vs_llama2c.toFixed(2)}x)`;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const name = arg('backend') ?? 'cpu';
  if (name !== 'cpu' && name !== 'onnx') throw new Error(`--backend must be cpu or onnx, got '${name}'`);
  const backend = name === 'onnx' ? new OnnxBackend({ threads: Number(arg('threads') ?? 2) }) : new CpuBackend();
  const r = await benchGenerate({ backend, tokens: Number(arg('tokens') ?? 256), repeats: Number(arg('repeats') ?? 3), ...(arg('peers') !== undefined ? { peers: arg('peers') } : {}) });
  backend.dispose();
  process.stdout.write(argv.includes('--json') ? JSON.stringify(r) + '\n' : generateText(r) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
}
