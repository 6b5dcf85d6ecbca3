// The work behind `gramr generate` and `gramr logits`, given parsed option values, a backend and an output
// function (the commands in cli/commands pass process.stdout; tests pass a collector). Bad values are
// ConfigErrors naming the option.
import { ConfigError } from '../errors.js';
import { BACKEND_HELP } from '../pipeline/backend-choice.js';
import type { ComputeBackend } from '../tensor/backend.js';
import { CausalLM } from './causal-lm.js';
import { ContinuousBatcher } from './continuous-batch.js';
import type { GenerateOptions, TokenEvent } from './generate.js';
import { intOption, numberOption, requiredString } from '../command/option-values.js';

/** Options of `gramr generate` as node:util parseArgs declares them. */
export const GENERATE_OPTIONS = {
  model: { type: 'string' }, tokenizer: { type: 'string' }, prompt: { type: 'string' }, 'max-tokens': { type: 'string' },
  temperature: { type: 'string' }, 'top-p': { type: 'string' }, 'top-k': { type: 'string' }, seed: { type: 'string' },
  stop: { type: 'string', multiple: true }, backend: { type: 'string' }, quantize: { type: 'string' },
} as const;

/** Help lines of `gramr generate`. */
export const GENERATE_HELP: Record<string, string> = {
  model: 'checkpoint: a Hugging Face folder, a llama2.c .bin file, or a Hub id owner/name[@rev] (required)',
  tokenizer: 'tokenizer.json, tok*.bin or a Hub id (default: the one next to the model)',
  prompt: 'prompt text (required)', 'max-tokens': 'most tokens to generate (default 128)',
  temperature: '0 = greedy (default 0)', 'top-p': 'nucleus sampling mass in (0, 1]', 'top-k': 'sample from the k most likely tokens',
  seed: 'sampling seed (default 0)', stop: 'stop string (repeatable)', backend: BACKEND_HELP,
  quantize: 'int8 or int4: block-quantize the projection weights at load (onnx backend only)',
};

/** Options of `gramr logits`. */
export const LOGITS_OPTIONS = { model: { type: 'string' }, ids: { type: 'string' }, backend: { type: 'string' }, quantize: { type: 'string' } } as const;

/** Help lines of `gramr logits`. */
export const LOGITS_HELP: Record<string, string> = {
  model: 'checkpoint: a Hugging Face folder, a llama2.c .bin file, or a Hub id owner/name[@rev] (required)',
  ids: 'comma-separated token ids, e.g. 1,403,407 (required)', backend: BACKEND_HELP,
  quantize: 'int8 or int4: block-quantize the projection weights at load (onnx backend only)',
};

/** The `--quantize` value as a CausalLM load option ({} when absent; ConfigError naming the valid values). */
export function quantizeOption(values: Record<string, unknown>, where: string): { quantize?: 'int8' | 'int4' } {
  const q = values.quantize;
  if (q === undefined) return {};
  if (q !== 'int8' && q !== 'int4') throw new ConfigError(`--quantize must be int8 or int4, got "${String(q)}"`, where);
  return { quantize: q };
}

/** Parses `gramr generate` values into generation options (ConfigError on a bad value). */
export function generateOptionsFrom(values: Record<string, unknown>): GenerateOptions {
  const where = 'gramr generate';
  const o: GenerateOptions = {};
  const maxTokens = intOption(values, 'max-tokens', where, 0);
  const temperature = numberOption(values, 'temperature', where, (x) => Number.isFinite(x) && x >= 0, 'a number >= 0');
  const topP = numberOption(values, 'top-p', where, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  const topK = intOption(values, 'top-k', where, 0);
  const seed = numberOption(values, 'seed', where, (x) => Number.isInteger(x), 'an integer');
  if (maxTokens !== undefined) o.maxTokens = maxTokens;
  if (temperature !== undefined) o.temperature = temperature;
  if (topP !== undefined) o.topP = topP;
  if (topK !== undefined) o.topK = topK;
  if (seed !== undefined) o.seed = seed;
  const stop = values.stop;
  if (stop !== undefined) o.stop = (Array.isArray(stop) ? stop : [stop]).map(String);
  return o;
}

/**
 * `gramr generate`: loads the model, streams `prompt + generated text` to `write` token by token, then a newline.
 * Returns the exit code (0).
 */
export async function runGenerate(values: Record<string, unknown>, backend: ComputeBackend, write: (text: string) => void): Promise<number> {
  const where = 'gramr generate';
  const modelPath = requiredString(values, 'model', where), prompt = requiredString(values, 'prompt', where);
  const options = generateOptionsFrom(values);
  const tokenizer = typeof values.tokenizer === 'string' ? values.tokenizer : undefined;
  const model = await CausalLM.load(modelPath, backend, { ...quantizeOption(values, where), ...(tokenizer === undefined ? {} : { tokenizer }) });
  try {
    if (!model.tokenizer) throw new ConfigError(`no tokenizer found next to ${modelPath}; pass --tokenizer`, where);
    write(prompt);
    // One fixed-length cache (two programs) instead of a cache growing by buckets (a program per bucket): the same
    // tokens, fewer sessions to build in a cold process. Backends without uploadRange take the growing cache.
    const onToken = (e: TokenEvent): void => { if (e.text !== '') write(e.text); };
    if (backend.uploadRange) await new ContinuousBatcher(model, { slots: 1 }).generate([prompt], options, onToken);
    else await model.generate([prompt], options, onToken);
    write('\n');
    return 0;
  } finally {
    model.dispose();
  }
}

/** `gramr logits`: prints the logits of the last position of `--ids` as one JSON array. Returns the exit code (0). */
export async function runLogits(values: Record<string, unknown>, backend: ComputeBackend, write: (text: string) => void): Promise<number> {
  const where = 'gramr logits';
  const modelPath = requiredString(values, 'model', where);
  const raw = requiredString(values, 'ids', where);
  const ids = raw.split(',').map((s) => Number(s.trim()));
  if (ids.some((x, i) => !Number.isInteger(x) || x < 0 || raw.split(',')[i]!.trim() === '')) {
    throw new ConfigError(`--ids must be comma-separated non-negative integers, got "${raw}"`, where);
  }
  const model = await CausalLM.load(modelPath, backend, { tokenizer: false, ...quantizeOption(values, where) });
  try {
    const [rows] = await model.forward([ids]);
    write(JSON.stringify(Array.from(rows![ids.length - 1]!)) + '\n');
    return 0;
  } finally {
    model.dispose();
  }
}
