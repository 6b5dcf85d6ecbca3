// Composites cross_entropy (integer targets, ignore-index, mean/sum/none) and embedding (row lookup).
// Autodiff goes through the decompositions.
import { compositeNode, defineComposite } from '../composite.js';
import { gather, iota, scalar } from '../primitives.js';
import { GraphBuildError, fmt, sameShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { logSoftmax } from './softmax.js';

/** How cross_entropy reduces the per-row losses. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions {
  /** Rows whose target equals this contribute 0 and are not counted in the mean. Default -100. */
  ignoreIndex?: number;
  /** 'mean' over counted rows (0 when none), 'sum', or 'none' (per-row, shape of targets). Default 'mean'. */
  reduction?: Reduction;
}

defineComposite({
  name: 'cross_entropy',
  summary: '-log_softmax(logits)[target] per row, ignore-index, reduction mean | sum | none',
  apply: (inputs, attrs) => crossEntropy(inputs[0]!, inputs[1]!, attrs as CrossEntropyOptions),
  decompose([logits, targets], attrs) {
    const v = logits!.shape[logits!.rank - 1]!;
    const n = targets!.size;
    const tgt = targets!.reshape([n, 1]);
    const onehot = iota(v).reshape([1, v]).eq(tgt); // [N, V]; all zero for out-of-range targets
    const valid = scalar(1).sub(tgt.eq(scalar(attrs.ignoreIndex as number, 'i32'))); // [N, 1]
    const nll = logSoftmax(logits!.reshape([n, v]), -1).mul(onehot).sum(1, true).neg().mul(valid);
    if (attrs.reduction === 'none') return nll.reshape(targets!.shape);
    if (attrs.reduction === 'sum') return nll.sum();
    return nll.sum().div(valid.sum().maximum(1));
  },
});

defineComposite({
  name: 'embedding',
  summary: 'rows of table [V, D] at i32 ids -> [...ids, D]',
  apply: (inputs) => embedding(inputs[0]!, inputs[1]!),
  decompose: ([table, ids]) => gather(table!, ids!),
});

/** Cross-entropy of f32 `logits` `[..., V]` against i32 `targets` `[...]`. */
export function crossEntropy(logits: Tensor, targets: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = options.reduction ?? 'mean';
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (logits.dtype !== 'f32' || logits.rank < 1 || targets.dtype !== 'i32' || !sameShape(targets.shape, logits.shape.slice(0, -1))) {
    throw new GraphBuildError(`cross_entropy: needs f32 logits [..., V] and i32 targets [...] with the same leading dims; got ${logits.dtype} ${fmt(logits.shape)} and ${targets.dtype} ${fmt(targets.shape)}`);
  }
  if (!['mean', 'sum', 'none'].includes(reduction)) throw new GraphBuildError(`cross_entropy: reduction '${reduction}' (valid: mean, sum, none)`);
  if (!Number.isInteger(ignoreIndex)) throw new GraphBuildError(`cross_entropy: ignoreIndex must be an integer (got ${ignoreIndex})`);
  return compositeNode('cross_entropy', [logits, targets], { ignoreIndex, reduction }, reduction === 'none' ? targets.shape : [], 'f32');
}

/** Rows of `table` `[V, D]` for i32 `ids` -> `[...ids.shape, D]`. */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  if (table.dtype !== 'f32' || table.rank !== 2 || ids.dtype !== 'i32') {
    throw new GraphBuildError(`embedding: needs f32 table [V, D] and i32 ids; got ${table.dtype} ${fmt(table.shape)} and ${ids.dtype} ${fmt(ids.shape)}`);
  }
  return compositeNode('embedding', [table, ids], {}, [...ids.shape, table.shape[1]!], 'f32');
}
