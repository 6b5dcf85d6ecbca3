// Batched generation: prompts right-padded to a length bucket, one prefill program, then one decode program per
// step against the KV cache (new rows appended in place where the backend allows; with useCache false, a full
// forward per step), EOS and stop strings, greedy or seeded sampling per row, and a streaming callback.
import type { ModelRunner } from './model-runner.js';
import { decodeProgram, decodeRowsProgram, growProgram, lastLogitsProgram, prefillProgram } from './decoder-programs.js';
import { KvCache, lengthBucket } from './kv-cache.js';
import { RowText } from './row-text.js';
import { checkSampling, sampleToken, type SamplingOptions } from './sampling.js';
import type { DeviceBuffer } from '../tensor/backend.js';
import { Rng } from '../tensor/rng.js';

/** Options of `generate`. */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate per prompt (default 128); fewer when the context limit comes first. */
  maxTokens?: number;
  /** Seed of the sampling RNG; row b draws from `new Rng(seed).fork(b)` (default 0). */
  seed?: number;
  /**
   * Per-row seeds instead: row b draws from `new Rng(rowSeeds[b][0]).fork(rowSeeds[b][1])`, so a row's samples
   * depend only on its own seed and callers can batch rows of different requests without changing any result.
   */
  rowSeeds?: ReadonlyArray<readonly [seed: number, fork: number]>;
  /** Stop when the generated text contains one of these; the text is cut before it (needs a tokenizer). */
  stop?: readonly string[];
  /** Token ids that end a row; default: the config's eosTokenIds plus the tokenizer's eosId. */
  eosIds?: readonly number[];
  /** Generate through EOS tokens (they are kept as ordinary tokens). */
  ignoreEos?: boolean;
  /** Use the KV cache (default true); false recomputes the whole sequence each step (reference path). */
  useCache?: boolean;
  /** For string prompts: prepend BOS (default: the tokenizer's convention). */
  addBos?: boolean;
}

/** Why a row stopped. */
export type FinishReason = 'eos' | 'stop' | 'length';

/** One generated continuation. */
export interface GenerationResult {
  /** The prompt's token ids (as encoded). */
  promptIds: number[];
  /** Generated ids, without the EOS that ended the row (a stop string's tokens are included). */
  tokens: number[];
  /** Generated text, cut before the stop string ('' without a tokenizer). */
  text: string;
  /** eos, stop (a stop string), or length (maxTokens or the context limit). */
  finishReason: FinishReason;
}

/** A streaming event: each generated token, then one final event per row. */
export interface TokenEvent {
  /** Index of the prompt. */
  row: number;
  /** The new token, or undefined in the row's final event. */
  token: number | undefined;
  /** Text that became printable with this event ('' while held back: an incomplete character or a possible stop string). */
  text: string;
  /** Set in the row's final event. */
  finishReason?: FinishReason;
}

/** Streaming callback. */
export type OnToken = (event: TokenEvent) => void;

interface Row {
  prompt: number[];
  tokens: number[];
  limit: number;
  rng: Rng;
  text: RowText | undefined;
  done: FinishReason | undefined;
}

/** Generates from each prompt; rows run in one batch (right padding, per-row positions) until all finish. */
export async function generate(model: ModelRunner, prompts: readonly (string | readonly number[])[], options: GenerateOptions = {}, onToken?: OnToken): Promise<GenerationResult[]> {
  checkSampling(options);
  const maxTokens = options.maxTokens ?? 128;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new RangeError(`maxTokens must be an integer >= 0, got ${maxTokens}`);
  const tok = model.tokenizer;
  const stop = (options.stop ?? []).filter((s) => s !== '');
  if (stop.length > 0 && !tok) throw new Error('generate: stop strings need a tokenizer (load the model with one)');
  const eos = new Set(options.ignoreEos ? [] : options.eosIds ?? [...model.config.eosTokenIds, ...(tok?.eosId !== undefined ? [tok.eosId] : [])]);
  const limit = model.contextLimit;
  if (options.rowSeeds && options.rowSeeds.length !== prompts.length) {
    throw new RangeError(`generate: rowSeeds has ${options.rowSeeds.length} entries for ${prompts.length} prompts`);
  }
  const rows: Row[] = prompts.map((p, b) => {
    if (typeof p === 'string' && !tok) throw new Error(`generate: prompt ${b} is text but the model has no tokenizer; pass token ids`);
    const ids = typeof p === 'string' ? tok!.encode(p, options.addBos === undefined ? {} : { addBos: options.addBos }) : [...p];
    if (ids.length === 0) throw new RangeError(`generate: prompt ${b} encodes to no tokens (give it a BOS or some text)`);
    if (ids.length > limit) throw new RangeError(`generate: prompt ${b} has ${ids.length} tokens; the model attends over at most ${limit}`);
    return {
      prompt: ids, tokens: [], limit: Math.min(maxTokens, limit - ids.length), rng: options.rowSeeds ? new Rng(options.rowSeeds[b]![0]).fork(options.rowSeeds[b]![1]) : new Rng(options.seed ?? 0).fork(b),
      text: tok ? new RowText(tok, ids, stop) : undefined, done: undefined,
    };
  });
  if (rows.length === 0) return [];
  const finish = (b: number, why: FinishReason): void => {
    const r = rows[b]!;
    r.done = why;
    const rest = r.text ? r.text.finish() : '';
    onToken?.({ row: b, token: undefined, text: rest, finishReason: why });
  };
  // Picks each live row's next token from its logits row; returns false when every row is done.
  const advance = (logits: Float32Array): boolean => {
    const v = model.config.vocabSize;
    rows.forEach((r, b) => {
      if (r.done) return;
      if (r.tokens.length >= r.limit) { finish(b, 'length'); return; }
      const id = sampleToken(logits.subarray(b * v, (b + 1) * v), options, r.rng);
      if (eos.has(id)) { finish(b, 'eos'); return; }
      r.tokens.push(id);
      const text = r.text ? r.text.push(id) : '';
      onToken?.({ row: b, token: id, text });
      if (r.text?.stopped) finish(b, 'stop');
      else if (r.tokens.length >= r.limit) finish(b, 'length');
    });
    return rows.some((r) => !r.done);
  };
  if (options.useCache === false) await loopWithoutCache(model, rows, advance);
  else await loopWithCache(model, rows, advance);
  return rows.map((r) => ({ promptIds: r.prompt, tokens: r.tokens, text: r.text ? r.text.text : '', finishReason: r.done ?? 'length' }));
}

async function loopWithCache(model: ModelRunner, rows: Row[], advance: (logits: Float32Array) => boolean): Promise<void> {
  const c = model.config, batch = rows.length, limit = model.contextLimit;
  const lens = rows.map((r) => r.prompt.length);
  const t = lengthBucket(Math.max(...lens), limit);
  // One prefill program per (batch, prompt bucket); its cache has the prompt bucket's length and grows by buckets.
  const prefill = model.program(`prefill:${batch}:${t}`, (p) => prefillProgram(c, p, batch, t, t));
  const [first, ...caches] = await model.run(prefill, {}, {
    ids: { shape: [batch, t], dtype: 'i32', data: model.padIds(rows.map((r) => r.prompt), t) },
    last: { shape: [batch], dtype: 'i32', data: lens.map((n) => n - 1) },
  });
  const cache = new KvCache(model.backend, batch, t, caches);
  // The ids and positions of each step go into two buffers allocated once (rewritten per step).
  const steps: DeviceBuffer[] = [];
  try {
    const ids = model.upload({ shape: [batch, 1], dtype: 'i32', data: new Array<number>(batch).fill(0) });
    steps.push(ids);
    const pos = model.upload({ shape: [batch], dtype: 'i32', data: new Array<number>(batch).fill(0) });
    steps.push(pos);
    let logits = await model.take(first!);
    while (advance(logits)) {
      // The newest token of a live row sits at position prompt + generated - 1; finished rows rewrite position 0.
      const start = rows.map((r) => (r.done ? 0 : r.prompt.length + r.tokens.length - 1));
      const top = Math.max(...start);
      if (top >= cache.length) {
        const to = lengthBucket(top + 1, limit);
        const grow = model.program(`grow:${batch}:${cache.length}:${to}`, () => growProgram(c, batch, cache.length, to));
        cache.replace(await model.run(grow, cache.feeds()), to);
      }
      const length = cache.length;
      // Backends that can write part of a buffer get only the new rows back and append them in place.
      const inPlace = cache.appendable;
      const decode = inPlace
        ? model.program(`decode-rows:${batch}:${length}`, (p) => decodeRowsProgram(c, p, batch, length))
        : model.program(`decode:${batch}:${length}`, (p) => decodeProgram(c, p, batch, length));
      model.backend.upload(ids, rows.map((r) => (r.done ? 0 : r.tokens[r.tokens.length - 1]!)));
      model.backend.upload(pos, start);
      const [out, ...next] = await model.run(decode, { ...cache.feeds(), ids, start: pos });
      if (inPlace) await cache.append(next[0]!, start);
      else cache.replace(next);
      logits = await model.take(out!);
    }
  } finally {
    cache.dispose();
    for (const b of steps) model.backend.free(b);
  }
}

async function loopWithoutCache(model: ModelRunner, rows: Row[], advance: (logits: Float32Array) => boolean): Promise<void> {
  const c = model.config, batch = rows.length;
  for (;;) {
    const seqs = rows.map((r) => [...r.prompt, ...r.tokens]);
    const t = lengthBucket(Math.max(...seqs.map((s) => s.length)), model.contextLimit);
    const graph = model.program(`last:${batch}:${t}`, (p) => lastLogitsProgram(c, p, batch, t));
    const [out] = await model.run(graph, {}, {
      ids: { shape: [batch, t], dtype: 'i32', data: model.padIds(seqs, t) },
      last: { shape: [batch], dtype: 'i32', data: seqs.map((s) => s.length - 1) },
    });
    if (!advance(await model.take(out!))) return;
  }
}
