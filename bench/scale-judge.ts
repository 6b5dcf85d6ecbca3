// GRAM-R² judging throughput at real scale: pairs per second of PairJudge over a ModelJudge on a large checkpoint
// (bench/scale-checkpoint.ts writes one), per batch size and batching ('continuous': slots refilled as rows end and the
// judge template's head prefilled once, core/model/continuous-batch.ts; 'static': length-sorted chunks, each
// prompt prefilled whole). Pairs are RM-Bench's shipped chat / code / safety items (test/fixtures/data/rm-bench,
// k-th chosen vs k-th rejected) rendered with the verbatim GRAM-R² template, each generating --tokens greedy
// tokens (random weights never close </answer>, so every row runs to the limit). One process loads the model once
// and prints one JSON line per configuration, then a summary line:
// `node dist/bench/scale-judge.js --model DIR [--quantize int8|int4] [--runs continuous:1:4,continuous:32:32] [--tokens 256]`
// where each run is batching:batch:pairs (the first `pairs` pairs of one fixed list).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CausalLM } from '../core/model/causal-lm.js';
import type { JudgeInput } from '../core/reward/pair-judge.js';
import { benchBackend } from './bench-backend.js';
import { peakRss } from './scale-run.js';

/** What one configuration reports. */
export interface JudgeScaleRun {
  batching: 'continuous' | 'static';
  batch: number;
  pairs: number;
  /** Mean prompt length in tokens of the pairs judged. */
  prompt_tokens: number;
  /** Seconds for the whole judge() call (program compiles included: `compiles` says how many). */
  seconds: number;
  pairs_per_s: number;
  /** Generated tokens per second, all rows together. */
  tokens_per_s: number;
  /** Programs compiled during this run. */
  compiles: number;
  /** Continuous batching only: prompt tokens read from the shared prefix / computed, and live slot share. */
  prefix_tokens?: number;
  suffix_tokens?: number;
  live_slot_share?: number;
  /** Continuous batching only: seconds computing prompts / decoding. */
  prompt_s?: number;
  decode_s?: number;
  peak_rss: number;
}

/**
 * Pairs from the shipped RM-Bench slices: each item's chosen responses against its rejected ones (all 3 x 3), the
 * chosen one as A when i + j is even; ordered round-robin over the items, so the first n pairs come from n items.
 */
export function rmBenchPairs(root: string): JudgeInput[] {
  const perItem: JudgeInput[][] = [];
  for (const name of ['chat', 'code', 'safety-refuse', 'safety-response']) {
    const items = JSON.parse(readFileSync(path.join(root, 'test/fixtures/data/rm-bench', `${name}_filtered.json`), 'utf8')) as Array<{ id: number | string; prompt: string; chosen: string[]; rejected: string[] }>;
    for (const it of items) {
      perItem.push(it.chosen.flatMap((c, i) => it.rejected.map((r, j) => ({ id: `${name}-${it.id}-${i}-${j}`, prompt: it.prompt, a: (i + j) % 2 === 0 ? c : r, b: (i + j) % 2 === 0 ? r : c }))));
    }
  }
  const out: JudgeInput[] = [];
  for (let k = 0; perItem.some((l) => k < l.length); k++) for (const l of perItem) if (k < l.length) out.push(l[k]!);
  return out;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, dflt: string): string => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1]! : dflt; };
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const { CausalLM: LM } = await import('../core/model/causal-lm.js');
  const { ModelJudge } = await import('../core/reward/model-judge.js');
  const { PairJudge } = await import('../core/reward/pair-judge.js');
  const { renderJudgePrompt } = await import('../core/reward/prompts.js');
  const { defaultTaskContext } = await import('../core/pipeline/task-context.js');
  const quantize = arg('quantize', 'none'), tokens = Number(arg('tokens', '256')), maxPrompt = Number(arg('max-prompt', '1024'));
  const { backend, chain } = await benchBackend(arg('backend', 'onnx'), arg('provider', ''));
  const model: CausalLM = await LM.load(arg('model', ''), backend, quantize === 'none' ? {} : { quantize: quantize as 'int8' | 'int4' });
  const probe = new ModelJudge(model, { batching: 'static' });
  const length = (p: JudgeInput): number => probe.countTokens(renderJudgePrompt('gram-r2', { userInput: p.prompt, first: p.a, second: p.b }, probe.chat));
  const all = rmBenchPairs(root).filter((p) => length(p) <= maxPrompt);
  const head = { backend: chain, quantize, tokens, chat: probe.chatKind, pairs_available: all.length, max_prompt: maxPrompt };
  process.stdout.write(JSON.stringify(head) + '\n');
  const runs: JudgeScaleRun[] = [];
  for (const spec of arg('runs', 'continuous:1:4,continuous:32:32').split(',')) {
    const [batching, b, n] = spec.split(':') as ['continuous' | 'static', string, string];
    const pairs = all.slice(0, Number(n));
    if (pairs.length < Number(n)) throw new Error(`only ${all.length} pairs fit ${maxPrompt} tokens; asked for ${n}`);
    const mj = new ModelJudge(model, { batchSize: Number(b), batching });
    const judge = new PairJudge(mj, { format: 'gram-r2', maxTokens: tokens, stop: ['</answer>'] }, mj.chat);
    const compiles = model.stats.compiles, t0 = performance.now();
    await judge.judge(pairs, defaultTaskContext(0));
    const s = (performance.now() - t0) / 1000, st = mj.batcher?.stats;
    const run: JudgeScaleRun = {
      batching, batch: Number(b), pairs: pairs.length, prompt_tokens: pairs.reduce((x, p) => x + length(p), 0) / pairs.length,
      seconds: s, pairs_per_s: pairs.length / s, tokens_per_s: mj.stats.generatedTokens / s, compiles: model.stats.compiles - compiles,
      ...(st ? { prefix_tokens: st.prefixTokensReused, suffix_tokens: st.suffixTokens, live_slot_share: st.liveSlotSteps / Math.max(1, st.slotSteps), prompt_s: st.promptSeconds, decode_s: st.decodeSeconds } : {}),
      peak_rss: peakRss(),
    };
    runs.push(run);
    process.stdout.write(JSON.stringify(run) + '\n');
  }
  const base = runs[0]!;
  process.stdout.write(JSON.stringify({ summary: runs.map((r) => `${r.batching} b${r.batch}: ${r.pairs_per_s.toFixed(3)} pairs/s = ${(r.pairs_per_s / base.pairs_per_s).toFixed(2)}x the first run`) }) + '\n');
  model.dispose();
  backend.dispose();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(() => process.exit(0), (e: unknown) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
}
