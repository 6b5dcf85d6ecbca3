// One-token decode attention read straight from the cache: when a causal_attention's keys and values are
// kv_cache_update nodes that write one row at the query's own position and feed nothing else, the updated caches
// are never built. The new row goes after the cached rows (position L of an extended cache) and the mask keeps
// the cached keys before `start` plus the new row: the same visible set as the decomposition (so the same
// softmax, up to summation order), without a scatter into the cache or its range guard. Used by lower-program.ts.
import type { Program } from '../../core/tensor/program.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { attr, type OnnxGraphBuilder } from './graph-builder.js';
import { OnnxType } from './onnx-model.js';

/** A decode attention whose k and v are one-row cache updates. */
export interface DecodeAttention {
  /** The kv_cache_update of the keys. */
  k: Tensor;
  /** The kv_cache_update of the values. */
  v: Tensor;
}

const MASKED_SCORE = -1e9;

// A kv_cache_update writing one row at `start` whose only readers are attentions using it as k or v.
function oneRowUpdate(t: Tensor, start: Tensor, users: Map<Tensor, Tensor[]>, outputs: Set<Tensor>): boolean {
  return t.op === 'kv_cache_update' && t.inputs[1]!.shape[2] === 1 && t.inputs[2] === start && !outputs.has(t)
    && (users.get(t) ?? []).every((u) => u.op === 'causal_attention' && u.inputs[0] !== t);
}

/** The attentions of `program` that can read their caches directly, by attention node. */
export function decodeAttentions(program: Program): Map<Tensor, DecodeAttention> {
  const users = new Map<Tensor, Tensor[]>();
  for (const n of program.nodes) for (const x of n.inputs) { const u = users.get(x); if (u) u.push(n); else users.set(x, [n]); }
  const outputs = new Set(program.outputs.map((o) => program.nodes[o]!));
  const found = new Map<Tensor, DecodeAttention>();
  for (const n of program.nodes) {
    if (n.op !== 'causal_attention') continue;
    const a = n.attrs;
    if (!a.causal || !a.hasStart || a.hasLengths || a.hasMask || n.inputs[0]!.shape[2] !== 1) continue;
    const [, k, v, start] = n.inputs as [Tensor, Tensor, Tensor, Tensor];
    if (k !== v && oneRowUpdate(k, start, users, outputs) && oneRowUpdate(v, start, users, outputs)) found.set(n, { k, v });
  }
  // A cache update is skipped only when every attention reading it is one of these.
  for (let changed = true; changed;) {
    changed = false;
    for (const [n, { k, v }] of found) {
      if ([k, v].some((t) => users.get(t)!.some((u) => !found.has(u)))) { found.delete(n); changed = true; }
    }
  }
  return found;
}

/**
 * Lowers one decode attention. `q` is the query value [B, Hq, 1, D]; `value(t)` gives a program node's value
 * (the caches, new rows and start are read through the kv_cache_update nodes, which emit nothing).
 */
export function lowerDecodeAttention(b: OnnxGraphBuilder, node: Tensor, pair: DecodeAttention, value: (t: Tensor) => string): string {
  const [batch, hq, , d] = node.inputs[0]!.shape as [number, number, number, number];
  const [, hkv, l] = pair.k.inputs[0]!.shape as [number, number, number];
  const dv = node.shape[3]!, g = hq / hkv;
  const start = value(pair.k.inputs[2]!);
  const q = g === 1 ? value(node.inputs[0]!) : b.reshape(value(node.inputs[0]!), [batch, hkv, g, d]);
  const scale = b.scalar(node.attrs.scale as number, 'f32');
  const scores = (keys: string): string => b.op('Mul', [b.op('MatMul', [q, b.op('Transpose', [keys], [attr.ints('perm', [0, 1, 3, 2])])]), scale]);
  // Cache keys before start are visible; the new row (column L) is, when start is inside [0, L). A masked new
  // row scores -inf so that a row with nothing visible stays uniform over the cache, as in the decomposition.
  const key = `decatt|${start}|${batch}|${l}`;
  const allowed = b.memo(`${key}|allowed`, () => {
    const s4 = b.reshape(start, [batch, 1, 1, 1]);
    const before = b.op('Less', [b.constant(OnnxType.INT32, [1, 1, 1, l], Int32Array.from({ length: l }, (_, i) => i)), s4]);
    const inside = b.op('And', [b.op('GreaterOrEqual', [s4, b.scalar(0, 'i32')]), b.op('Less', [s4, b.scalar(l, 'i32')])]);
    return b.op('Concat', [before, inside], [attr.int('axis', -1)]);
  });
  const fill = b.memo(`${key}|fill`, () => b.constant(OnnxType.FLOAT, [l + 1], Float32Array.from({ length: l + 1 }, (_, i) => (i < l ? MASKED_SCORE : -Infinity))));
  // The new row is appended to the cached keys and values (a copy of L rows per layer, cheaper than the separate
  // score/value kernels it replaces at these sizes).
  const extended = (cache: Tensor, row: Tensor): string => b.op('Concat', [value(cache), value(row)], [attr.int('axis', 2)]);
  const masked = b.op('Where', [allowed, scores(extended(pair.k.inputs[0]!, pair.k.inputs[1]!)), fill]);
  const probs = b.op('Softmax', [masked], [attr.int('axis', -1)]);
  const out = b.op('MatMul', [probs, extended(pair.v.inputs[0]!, pair.v.inputs[1]!)]);
  return g === 1 ? out : b.reshape(out, [batch, hq, 1, dv]);
}
