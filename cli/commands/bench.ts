// `gramr bench <what>`: benchmarks on a chosen backend (resolved through the plugin container, like pipelines).
// Each bench checks its result against the reference before timing (see bench/README.md).
import { ConfigError } from '../../core/errors.js';
import { createAppContainer } from '../app.js';
import { chooseBackend } from '../../core/pipeline/backend-choice.js';
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { benchMatmul, writeMatmulReport } from '../../bench/matmul.js';
import { benchGenerate, generateText } from '../../bench/generate.js';
import { benchJudge } from '../../bench/judge.js';
import { benchTrain } from '../../bench/train.js';
import { benchServe } from '../../bench/serve.js';
import { benchScale, scaleText } from '../../bench/scale.js';
import type { Command } from '../../core/command/command.js';

type Int = (name: string, dflt: number) => number;
/** One benchmark: runs on the backend and returns its result object plus a one-line text form. */
type Bench = (backend: ComputeBackend, int: Int, values: Record<string, unknown>) => Promise<{ result: object; text: string }>;

const benches: Record<string, Bench> = {
  async matmul(backend, int, values) {
    const r = await benchMatmul({ backend, size: int('size', 512), repeats: int('repeats', 5) });
    if (typeof values.out === 'string') await writeMatmulReport([r], values.out);
    return { result: r, text: `matmul ${r.size}^3: ${r.gflops.toFixed(2)} GFLOPS median, ${r.bestGflops.toFixed(2)} best (max |err| ${r.maxAbsError.toExponential(2)})` };
  },
  async generate(backend, int, values) {
    const r = await benchGenerate({ backend, tokens: int('tokens', 256), repeats: int('repeats', 3), ...(typeof values.peers === 'string' ? { peers: values.peers } : {}) });
    return { result: r, text: generateText(r) };
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
  async scale(backend, int, values) {
    const list = (name: string, dflt: string): string[] => String(values[name] ?? dflt).split(',').map((x) => x.trim()).filter((x) => x !== '');
    const dtype = String(values.dtype ?? 'f32').toUpperCase();
    if (dtype !== 'F32' && dtype !== 'BF16') throw new ConfigError(`--dtype must be f32 or bf16, got "${String(values.dtype)}"`, 'gramr bench');
    const quantize = list('quantize', 'none');
    for (const q of quantize) if (!['none', 'int8', 'int4'].includes(q)) throw new ConfigError(`--quantize takes none, int8, int4 (comma-separated), got "${q}"`, 'gramr bench');
    const batches = list('batch', '1,8,32').map(Number);
    if (batches.some((b) => !Number.isInteger(b) || b <= 0)) throw new ConfigError(`--batch must list positive integers, got "${String(values.batch)}"`, 'gramr bench');
    const r = await benchScale({ layout: String(values.layout ?? 'qwen2.5-0.5b'), backend: backend.name, quantize, batches, tokens: int('tokens', 16), dtype, torch: values['no-torch'] !== true });
    return { result: r, text: scaleText(r) };
  },
};

export const benchCommand: Command = {
  name: 'bench',
  summary: `Benchmarks, checked against the reference before timing: ${Object.keys(benches).join(', ')}.`,
  usage: 'gramr bench matmul|generate|judge|train|serve|scale [--layout L] [--quantize none,int8,int4] [--dtype f32|bf16] [--no-torch] [--backend NAME] [--model M] [--requests N] [--steps N] [--size N] [--tokens N] [--pairs N] [--batch N] [--repeats N] [--peers DIR] [--out DIR] [--json]',
  help: { backend: 'backend to measure (default cpu)', size: 'matmul: n of an n x n x n product (default 512)',
    tokens: 'generate: tokens per run (default 256); judge: generated tokens per gram-r2 judgment (default 32); scale: decode tokens per batch (default 16)', repeats: 'timed runs',
    pairs: 'judge: pairs per run (default 16)', batch: 'judge: rows per model call (default 8); serve: micro-batch size; scale: decode batch sizes (default 1,8,32)', out: 'matmul: also write JSON + markdown into DIR',
    steps: 'train: timed steps (default 20)', json: 'print the result as JSON',
    model: 'serve: a train-grm model folder', layout: 'scale: qwen2.5-0.5b (default), llama-3.2-1b or llama-3.2-3b',
    quantize: 'scale: weight formats to measure, comma-separated (none = f32; default none)', dtype: 'scale: dtype of the written checkpoint (f32 default, bf16)',
    'no-torch': 'scale: skip the PyTorch eager run', peers: 'generate: folder holding llama2c/ (run.c, build.sh) to run beside gramr (default: GRAMR_PEERS, else ../shared/peers)', requests: 'serve: requests per concurrency level (default 256)' },
  options: { steps: { type: 'string' }, backend: { type: 'string' }, size: { type: 'string' }, tokens: { type: 'string' }, repeats: { type: 'string' },
    pairs: { type: 'string' }, batch: { type: 'string' }, model: { type: 'string' }, requests: { type: 'string' },
    out: { type: 'string' }, json: { type: 'boolean' }, layout: { type: 'string' }, quantize: { type: 'string' }, dtype: { type: 'string' },
    'no-torch': { type: 'boolean' }, peers: { type: 'string' } },
  async run(values, positionals) {
    const bench = positionals.length === 1 ? benches[positionals[0]] : undefined;
    if (!bench) throw new ConfigError(`expected one of: ${Object.keys(benches).join(', ')}\nusage: ${this.usage}`, 'gramr bench');
    const int: Int = (name, dflt) => {
      const v = values[name] === undefined ? dflt : Number(values[name]);
      if (!Number.isInteger(v) || v <= 0) throw new ConfigError(`--${name} must be a positive integer, got "${String(values[name])}"`, 'gramr bench');
      return v;
    };
    const { backend, chain } = await chooseBackend(await createAppContainer(), [String(values.backend ?? 'cpu')]);
    try {
      const { result, text } = await bench(backend, int, values);
      process.stdout.write(values.json === true ? JSON.stringify(result) + '\n' : `${text} on ${chain}\n`);
    } finally {
      backend.dispose();
    }
    return 0;
  },
};
