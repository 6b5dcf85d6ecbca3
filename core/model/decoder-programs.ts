// The graphs CausalLM compiles, one per kind and static shape (and reuses): prefill (prompt bucket -> last-position
// logits + caches), decode (one token against a cache bucket; whole caches or only the new rows out), cache
// growth, last-position logits without a cache, full logits, and per-token log-probabilities. Feed names: ids,
// last, start, targets, cache.{k,v}.i.
import type { ModelConfig } from './checkpoint/model-config.js';
import { decoderHidden, lmHead, selectPositions, type DecoderTensors } from './decoder.js';
import { cacheInputs } from './kv-cache.js';
import { ops, type Tensor } from '../tensor/index.js';
import { input } from '../tensor/primitives.js';

const flatCache = (layers: readonly { k: Tensor; v: Tensor }[]): Tensor[] => layers.flatMap((l) => [l.k, l.v]);

/** Prefill: ids `[B, T]`, last `[B]` (index of each row's last prompt token) -> [logits `[B, V]`, k0, v0, ... `[B, Hkv, L, D]`]. */
export function prefillProgram(c: ModelConfig, p: DecoderTensors, batch: number, t: number, length: number): Tensor[] {
  const { hidden, cache } = decoderHidden(c, p, { ids: input('ids', [batch, t], 'i32'), cacheLength: length });
  return [lmHead(c, p, selectPositions(hidden, input('last', [batch], 'i32'))), ...flatCache(cache!)];
}

/** Decode: ids `[B, 1]` at positions start `[B]` against caches of length L -> [logits `[B, V]`, updated caches]. */
export function decodeProgram(c: ModelConfig, p: DecoderTensors, batch: number, length: number): Tensor[] {
  const start = input('start', [batch], 'i32');
  const { hidden, cache } = decoderHidden(c, p, { ids: input('ids', [batch, 1], 'i32'), cache: { layers: cacheInputs(c, batch, length), start } });
  return [lmHead(c, p, hidden.reshape([batch, c.hiddenSize])), ...flatCache(cache!)];
}

/** The new rows `[B, Hkv, T, D]` a `kv_cache_update` node writes into its cache. */
function newRows(updated: Tensor): Tensor {
  if (updated.op !== 'kv_cache_update') throw new Error(`decodeRowsProgram: expected a kv_cache_update node, got '${updated.op}'`);
  return updated.inputs[1]!;
}

/**
 * Decode returning only what is new: ids `[B, 1]` at positions start `[B]` against caches of length L ->
 * [logits `[B, V]`, rows `[B, 2 * layers * Hkv, 1, D]`]: the new key and value rows of every layer (k0, v0, k1,
 * v1, ... stacked on the head axis) to be written at start[b]. KvCache.append writes them in place on backends
 * with `uploadRange`, so no step copies the whole cache.
 */
export function decodeRowsProgram(c: ModelConfig, p: DecoderTensors, batch: number, length: number): Tensor[] {
  const start = input('start', [batch], 'i32');
  const { hidden, cache } = decoderHidden(c, p, { ids: input('ids', [batch, 1], 'i32'), cache: { layers: cacheInputs(c, batch, length), start } });
  return [lmHead(c, p, hidden.reshape([batch, c.hiddenSize])), ops.concat(flatCache(cache!).map(newRows), 1)];
}

/**
 * Extend: T new tokens per row, ids `[B, T]` at positions start[b] + t, against caches of length L (what is cached
 * before start[b] is attended to; nothing after a query's own position is) -> [logits `[B, V]` at index last[b]
 * of the T tokens, rows `[B, 2 * layers * Hkv, T, D]` stacked as in decodeRowsProgram]. Continuous batching
 * prefills a prompt's suffix with it against a shared prefix's cache.
 */
export function extendProgram(c: ModelConfig, p: DecoderTensors, batch: number, t: number, length: number): Tensor[] {
  const start = input('start', [batch], 'i32');
  const { hidden, cache } = decoderHidden(c, p, { ids: input('ids', [batch, t], 'i32'), cache: { layers: cacheInputs(c, batch, length), start } });
  return [lmHead(c, p, selectPositions(hidden, input('last', [batch], 'i32'))), ops.concat(flatCache(cache!).map(newRows), 1)];
}

/** Cache growth from length `from` to `to` (zero rows appended). */
export function growProgram(c: ModelConfig, batch: number, from: number, to: number): Tensor[] {
  return flatCache(cacheInputs(c, batch, from)).map((x) => x.pad([0, 0, 0, 0], [0, 0, to - from, 0]));
}

/** Without a cache: ids `[B, T]`, last `[B]` -> [logits `[B, V]` at each row's last position]. */
export function lastLogitsProgram(c: ModelConfig, p: DecoderTensors, batch: number, t: number): Tensor[] {
  const { hidden } = decoderHidden(c, p, { ids: input('ids', [batch, t], 'i32') });
  return [lmHead(c, p, selectPositions(hidden, input('last', [batch], 'i32')))];
}

/** ids `[B, T]` -> [logits `[B, T, V]`]. */
export function forwardProgram(c: ModelConfig, p: DecoderTensors, batch: number, t: number): Tensor[] {
  return [lmHead(c, p, decoderHidden(c, p, { ids: input('ids', [batch, t], 'i32') }).hidden)];
}

/** ids `[B, T]`, targets `[B, T]` (next token, or -1 where not scored) -> [log p(target) `[B, T]`, 0 where not scored]. */
export function scoreProgram(c: ModelConfig, p: DecoderTensors, batch: number, t: number): Tensor[] {
  const logits = lmHead(c, p, decoderHidden(c, p, { ids: input('ids', [batch, t], 'i32') }).hidden);
  return [ops.crossEntropy(logits, input('targets', [batch, t], 'i32'), { ignoreIndex: -1, reduction: 'none' }).neg()];
}
