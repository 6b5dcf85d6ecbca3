// Batched generation: prompts right-padded to a length bucket, one prefill program, then one decode program per
// step against the KV cache (new rows appended in place where the backend allows; with useCache false, a full
// forward per step), EOS and stop strings, greedy or seeded sampling per row, and a streaming callback.
import type { ModelRunner } from './model-runner.js';
import { decodeProgram, decodeRowsProgram, growProgram, lastLogitsProgram, prefillProgram } from './decoder-programs.js';
import { KvCache, lengthBucket } from './kv-cache.js';
import { GenerationRows, type GenerateOptions, type GenerationResult, type OnToken, type Row } from './generation-rows.js';
import type { DeviceBuffer } from '../tensor/backend.js';

export type { FinishReason, GenerateOptions, GenerationResult, OnToken, TokenEvent } from './generation-rows.js';

/** Generates from each prompt; rows run in one batch (right padding, per-row positions) until all finish. */
export async function generate(model: ModelRunner, prompts: readonly (string | readonly number[])[], options: GenerateOptions = {}, onToken?: OnToken): Promise<GenerationResult[]> {
  const rows = new GenerationRows(model, prompts, options, onToken);
  if (rows.rows.length === 0) return [];
  const advance = (logits: Float32Array): boolean => rows.stepAll(logits);
  if (options.useCache === false) await loopWithoutCache(model, rows.rows, advance);
  else await loopWithCache(model, rows.rows, advance);
  return rows.results();
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
