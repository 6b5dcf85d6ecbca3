// `gramr bench <what>`: benchmarks on a chosen backend (resolved through the plugin container, like pipelines).
// Each bench checks its result against the reference before timing (see bench/README.md).
import { ConfigError } from '../../errors.js';
import { createGramrContainer } from '../../di/container.js';
import { chooseBackend } from '../../pipeline/backend-choice.js';
import type { ComputeBackend } from '../../tensor/backend.js';
import { benchMatmul, writeMatmulReport } from '../../../bench/matmul.js';
import { benchGenerate } from '../../../bench/generate.js';
import { benchJudge } from '../../../bench/judge.js';
import { benchTrain } from '../../../bench/train.js';
import { benchServe } from '../../../bench/serve.js';
import type { Command } from '../command.js';

type Int = (name: string, dflt: number) => number;
/** One benchmark: runs on the backend and returns its result object plus a one-line text form. */
type Bench = (backend: ComputeBackend, int: Int, values: Record<string, unknown>) => Promise<{ result: object; text: string }>;

const benches: Record<string, Bench> = {
  async matmul(backend, int, values) {
    const r = await benchMatmul({ backend, size: int('size', 512), repeats: int('repeats', 5) });
    if (typeof values.out === 'string') await writeMatmulReport([r], values.out);
    return { result: r, text: `matmul ${r.size}^3: ${r.gflops.toFixed(2)} GFLOPS median, ${r.bestGflops.toFixed(2)} best (max |err| ${r.maxAbsError.toExponential(2)})` };
  },
  async generate(backend, int) {
    const r = await benchGenerate({ backend, tokens: int('tokens', 256), repeats: int('repeats', 3) });
    return { result: r, text: `generate ${r.tokens} tokens (stories260K, greedy): ${r.tokens_per_s.toFixed(0)} tokens/s median, ${r.best_tokens_per_s.toFixed(0)} best` };
  },
  async train(backend, int) {
    const r = await benchTrain({ backend, steps: int('steps', 20) });
    return { result: r, text: `train (Llama-style h128 x4 layers, T128 B8, AdamW): ${r.tokens_per_s.toFixed(0)} tokens/s (median step ${r.median_step_ms.toFixed(1)} ms)` };
  },
  async judge(backend, int) {
    const r = await benchJudge({ backend, pairs: int('pairs', 16), batch: int('batch', 8), maxTokens: int('tokens', 32), repeats: int('repeats', 2) });
    return { result: r, text: `judge (${r.model}; ${r.prompt_tokens} prompt tokens): gram-r2 ${r.r2_pairs_per_s.toFixed(2)} pairs/s with ${r.maxTokens} generated tokens each, gram-v1 ${r.v1_pairs_per_s.toFixed(2)} pairs/s` };
  },
  async serve(backend, int, values) {
    if (typeof values.model !== 'string') throw new ConfigError('bench serve needs --model (a model folder train-grm wrote)', 'gramr bench');
    const r = await benchServe({ backend, model: values.model, requests: int('requests', 256), batch: int('batch', 16) });
    return { result: r, text: `serve /get_reward (${r.objective}): ${r.levels.map((l) => `concurrency ${l.concurrency}: ${l.requests_per_s.toFixed(1)} req/s, p50 ${l.p50_ms.toFixed(1)} ms, p99 ${l.p99_ms.toFixed(1)} ms`).join('; ')}` };
  },
};

export const benchCommand: Command = {
  name: 'bench',
  summary: `Benchmarks, checked against the reference before timing: ${Object.keys(benches).join(', ')}.`,
  usage: 'gramr bench matmul|generate|judge|train|serve [--backend NAME] [--model M] [--requests N] [--steps N] [--size N] [--tokens N] [--pairs N] [--batch N] [--repeats N] [--out DIR] [--json]',
  help: { backend: 'backend to measure (default cpu)', size: 'matmul: n of an n x n x n product (default 512)',
    tokens: 'generate: tokens per run (default 256); judge: generated tokens per gram-r2 judgment (default 32)', repeats: 'timed runs',
    pairs: 'judge: pairs per run (default 16)', batch: 'judge: rows per model call (default 8); serve: micro-batch size', out: 'matmul: also write JSON + markdown into DIR',
    steps: 'train: timed steps (default 20)', json: 'print the result as JSON',
    model: 'serve: a train-grm model folder', requests: 'serve: requests per concurrency level (default 256)' },
  options: { steps: { type: 'string' }, backend: { type: 'string' }, size: { type: 'string' }, tokens: { type: 'string' }, repeats: { type: 'string' },
    pairs: { type: 'string' }, batch: { type: 'string' }, model: { type: 'string' }, requests: { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    const bench = positionals.length === 1 ? benches[positionals[0]] : undefined;
    if (!bench) throw new ConfigError(`expected one of: ${Object.keys(benches).join(', ')}\nusage: ${this.usage}`, 'gramr bench');
    const int: Int = (name, dflt) => {
      const v = values[name] === undefined ? dflt : Number(values[name]);
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`--${name} must be a positive integer, got "${String(values[name])}"`, 'gramr bench');
      return v;
    };
    const { backend, chain } = await chooseBackend(await createGramrContainer(), [String(values.backend ?? 'cpu')]);
    try {
      const { result, text } = await bench(backend, int, values);
      process.stdout.write(values.json === true ? JSON.stringify(result) + '\n' : `${text} on ${chain}\n`);
    } finally {
      backend.dispose();
    }
    return 0;
  },
};
