// Training losses as tensor graphs (so they run on every backend and differentiate with core/tensor's autodiff):
// (a) SFT cross-entropy on target tokens, (b) GRAM v1 stage 2 label smoothing over the two label tokens only,
// (c) the Bradley–Terry loss of a scalar reward head. Each returns a sum and a count so batches, micro-batches and
// evaluation passes combine exactly; the training loss is sum / count.
import type { ModelConfig } from '../model/checkpoint/model-config.js';
import { decoderHidden, lmHead, selectPositions, type DecoderTensors } from '../model/decoder.js';
import { concat, ops, type Tensor } from '../tensor/index.js';
import { IGNORE_INDEX } from './sft-example.js';

/** A loss over a batch as parts that add up across batches. */
export interface LossParts {
  /** Sum of the per-item losses (f32 scalar). */
  sum: Tensor;
  /** Number of items in the sum: target tokens (sft) or real rows (f32 scalar). */
  count: Tensor;
  /** Items ranked right (label-smoothed, bradley-terry), f32 scalar. */
  correct?: Tensor;
}

/** The mean loss `sum / max(count, 1)` (0 for an empty batch). */
export function meanLoss(parts: LossParts): Tensor {
  return parts.sum.div(parts.count.maximum(1));
}

/**
 * (a) SFT: next-token cross-entropy of `ids` `[B, T]` against i32 `targets` `[B, T]` (IGNORE_INDEX on prompt tokens
 * and padding), summed over target tokens; count = number of target tokens.
 */
export function sftLoss(config: ModelConfig, p: DecoderTensors, ids: Tensor, targets: Tensor): LossParts {
  const logits = lmHead(config, p, decoderHidden(config, p, { ids }).hidden);
  const sum = ops.crossEntropy(logits, targets, { ignoreIndex: IGNORE_INDEX, reduction: 'sum' });
  const count = ops.scalar(1).sub(targets.eq(ops.scalar(IGNORE_INDEX, 'i32'))).sum();
  return { sum, count };
}

/**
 * Logits of the two label tokens `[B, 2]` at one position per row (i32 `last` `[B]`, the answer position): the
 * hidden state there times the two columns of the LM head (untied `lm_head.weight`, or the embedding rows).
 */
export function labelLogits(config: ModelConfig, p: DecoderTensors, ids: Tensor, last: Tensor, labelIds: readonly [number, number]): Tensor {
  for (const id of labelIds) {
    if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) throw new RangeError(`labelLogits: label token id ${id} is outside the vocabulary [0, ${config.vocabSize})`);
  }
  const h = selectPositions(decoderHidden(config, p, { ids }).hidden, last); // [B, H]
  const head = p['lm_head.weight'];
  const cols = head !== undefined
    ? concat([head.slice(1, labelIds[0], labelIds[0] + 1), head.slice(1, labelIds[1], labelIds[1] + 1)], 1) // [H, 2]
    : lmHeadRows(config, p, labelIds);
  return h.matmul(cols);
}

// Tied models: the head is the embedding transposed, so the two columns are two embedding rows.
function lmHeadRows(config: ModelConfig, p: DecoderTensors, labelIds: readonly [number, number]): Tensor {
  if (!config.tieWordEmbeddings) throw new Error("labelLogits: parameter 'lm_head.weight' is missing (untied model)");
  const e = p['model.embed_tokens.weight']!;
  return concat([e.slice(0, labelIds[0], labelIds[0] + 1), e.slice(0, labelIds[1], labelIds[1] + 1)], 0).transpose();
}

/**
 * (b) GRAM v1 stage 2: with p = softmax over the two label logits only, each row's loss is
 * −(1−ε)·log p(l) − ε·log p(other) = −log σ(z_l − z_o) + ε·(z_l − z_o) (ε = 0.05 matches PyTorch label_smoothing 0.1
 * with 2 classes). `logits2` `[B, 2]`; `isFirst` `[B]` f32 is 1 where the label is the first token, 0 where the
 * second; `mask` `[B]` f32 is 1 on real rows, 0 on padding rows. count = real rows; correct = rows with z_l > z_o.
 */
export function labelSmoothedLoss(logits2: Tensor, isFirst: Tensor, mask: Tensor, epsilon: number): LossParts {
  if (!(epsilon >= 0 && epsilon <= 0.5)) throw new RangeError(`labelSmoothedLoss: epsilon must be in [0, 0.5] (got ${epsilon})`);
  const b = logits2.shape[0]!;
  const lp = ops.logSoftmax(logits2, -1); // [B, 2]
  const first = isFirst.reshape([b, 1]);
  const wFirst = first.mul(1 - epsilon).add(ops.scalar(1).sub(first).mul(epsilon)); // weight on token 0
  const w = concat([wFirst, ops.scalar(1).sub(wFirst)], 1).mul(mask.reshape([b, 1]));
  const sum = lp.mul(w).sum().neg();
  const d = logits2.slice(1, 0, 1).sub(logits2.slice(1, 1, 2)).reshape([b]); // z_first − z_second
  const signed = d.mul(isFirst.mul(2).sub(1));
  return { sum, count: mask.sum(), correct: signed.gt(0).mul(mask).sum() };
}

/** `−log σ(d)` elementwise, computed stably as max(−d, 0) + log(1 + exp(−|d|)). */
export function negLogSigmoid(d: Tensor): Tensor {
  return d.neg().maximum(0).add(d.abs().neg().exp().add(1).log());
}

/** Reward head parameter names (decoder layout: weight `[hidden, 1]`, bias `[1]`). */
export const REWARD_HEAD = { weight: 'reward_head.weight', bias: 'reward_head.bias' } as const;

/** Scalar rewards `[N]`: the reward head applied to the final hidden state at each row's last token (i32 `last` `[N]`). */
export function rewardScores(config: ModelConfig, p: DecoderTensors, ids: Tensor, last: Tensor): Tensor {
  const w = p[REWARD_HEAD.weight], bias = p[REWARD_HEAD.bias];
  if (w === undefined || bias === undefined) throw new Error(`rewardScores: the reward head parameters '${REWARD_HEAD.weight}' and '${REWARD_HEAD.bias}' are missing`);
  const h = selectPositions(decoderHidden(config, p, { ids }).hidden, last);
  return h.matmul(w).add(bias).reshape([ids.shape[0]!]);
}

/**
 * (c) Bradley–Terry: −log σ(r_c − r_r) per pair, from rewards of the chosen and rejected rows `[B]` each; `mask` `[B]`
 * marks real pairs. count = real pairs; correct = pairs with r_c > r_r.
 */
export function bradleyTerryLoss(chosen: Tensor, rejected: Tensor, mask: Tensor): LossParts {
  const d = chosen.sub(rejected);
  return { sum: negLogSigmoid(d).mul(mask).sum(), count: mask.sum(), correct: d.gt(0).mul(mask).sum() };
}
