// Tiny models shared by the training tests: an MLP classifier and a one-block transformer (embedding, RMSNorm,
// RoPE, GQA causal attention, SwiGLU, tied head, cross-entropy), with seeded parameters and synthetic data.
import { ops, type Tensor } from '../../core/tensor/index.js';
import { Rng } from '../../core/tensor/rng.js';
import { constantInit, normalInit } from '../../core/tensor/init.js';
import type { Shape } from '../../core/tensor/shape.js';

export type Params = Record<string, { shape: Shape; data: Float32Array }>;

/** MLP 4 -> 16 -> 3 with SiLU. */
export function mlpParams(seed: number): Params {
  const rng = new Rng(seed);
  return {
    w1: { shape: [4, 16], data: normalInit(rng, [4, 16], 0.5) },
    b1: { shape: [16], data: constantInit([16], 0) },
    w2: { shape: [16, 3], data: normalInit(rng, [16, 3], 0.5) },
  };
}

export function mlpLoss(p: Record<string, Tensor>, b: Record<string, Tensor>): Tensor {
  const h = ops.silu(b.x!.matmul(p.w1!).add(p.b1!));
  return ops.crossEntropy(h.matmul(p.w2!), b.y!);
}

/** A batch of 3-class points: class = which of three directions x is closest to. */
export function mlpBatch(rng: Rng, n: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * 4), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = rng.normal();
    const s = [x[i * 4]! + x[i * 4 + 1]!, x[i * 4 + 2]!, -x[i * 4]! - x[i * 4 + 3]!];
    y[i] = s.indexOf(Math.max(...s));
  }
  return { x, y };
}

export const TF = { vocab: 8, seq: 8, dim: 16, heads: 2, kvHeads: 1, headDim: 8, hidden: 32 };

/** One transformer block with tied embeddings. */
export function transformerParams(seed: number): Params {
  const rng = new Rng(seed);
  const { vocab, dim, heads, kvHeads, headDim, hidden } = TF;
  const w = (shape: number[], std = 0.1): { shape: Shape; data: Float32Array } => ({ shape, data: normalInit(rng, shape, std) });
  const one = (n: number): { shape: Shape; data: Float32Array } => ({ shape: [n], data: constantInit([n], 1) });
  return {
    emb: w([vocab, dim], 0.5), norm1: one(dim), wq: w([dim, heads * headDim]), wk: w([dim, kvHeads * headDim]),
    wv: w([dim, kvHeads * headDim]), wo: w([heads * headDim, dim]), norm2: one(dim), w1: w([dim, hidden]),
    w3: w([dim, hidden]), w2: w([hidden, dim]), normf: one(dim),
  };
}

export function transformerLoss(p: Record<string, Tensor>, b: Record<string, Tensor>): Tensor {
  const { seq, dim, heads, kvHeads, headDim } = TF;
  const bsz = b.tokens!.shape[0]!;
  const pos = ops.iota(seq);
  let x = ops.embedding(p.emb!, b.tokens!); // [B, T, D]
  const h = ops.rmsNorm(x, p.norm1!);
  const split = (t: Tensor, n: number): Tensor => t.reshape([bsz, seq, n, headDim]).transpose([0, 2, 1, 3]);
  const q = ops.rope(split(h.matmul(p.wq!), heads), pos, { convention: 'half' });
  const k = ops.rope(split(h.matmul(p.wk!), kvHeads), pos, { convention: 'half' });
  const v = split(h.matmul(p.wv!), kvHeads);
  const att = ops.causalAttention(q, k, v).transpose([0, 2, 1, 3]).reshape([bsz, seq, heads * headDim]);
  x = x.add(att.matmul(p.wo!));
  const h2 = ops.rmsNorm(x, p.norm2!);
  x = x.add(ops.silu(h2.matmul(p.w1!)).mul(h2.matmul(p.w3!)).matmul(p.w2!));
  const logits = ops.rmsNorm(x, p.normf!).matmul(p.emb!.transpose()).reshape([bsz, seq, TF.vocab]);
  return ops.crossEntropy(logits.slice(1, 0, seq - 1), b.targets!.slice(1, 0, seq - 1));
}

/** Sequences x[t+1] = (x[t] + s) mod V with a random start and step s in {1, 2, 3}; targets = next token. */
export function transformerBatch(rng: Rng, n: number): { tokens: Int32Array; targets: Int32Array } {
  const { vocab, seq } = TF;
  const tokens = new Int32Array(n * seq), targets = new Int32Array(n * seq);
  for (let i = 0; i < n; i++) {
    let t = rng.int(vocab);
    const s = 1 + rng.int(3);
    for (let j = 0; j < seq; j++) {
      tokens[i * seq + j] = t;
      t = (t + s) % vocab;
      targets[i * seq + j] = t;
    }
  }
  return { tokens, targets };
}
