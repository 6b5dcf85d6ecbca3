// The training benchmark's model, built directly with the tensor API: a Llama-style decoder (token embedding,
// pre-RMSNorm blocks with RoPE causal attention and a SwiGLU MLP, final RMSNorm, untied head, cross-entropy).
// Linear layers act on 2-D activations [B*T, D] with weights stored [in, out]. bench/torch_train.py mirrors it.
import { ops } from '../core/tensor/index.js';
import { iota } from '../core/tensor/primitives.js';
import { constantInit, normalInit } from '../core/tensor/init.js';
import type { NamedTensors } from '../core/tensor/optim/optimizer.js';
import { Rng } from '../core/tensor/rng.js';
import type { Shape } from '../core/tensor/shape.js';
import type { Tensor } from '../core/tensor/tensor.js';

/** Sizes of the benchmark model and batch. */
export interface BenchModelConfig {
  /** Vocabulary size (default 256, bytes). */
  vocab: number;
  /** Hidden size (default 128). */
  hidden: number;
  /** Decoder blocks (default 4). */
  layers: number;
  /** Attention heads (default 4). */
  heads: number;
  /** SwiGLU intermediate size (default 352). */
  intermediate: number;
  /** Tokens per sequence (default 128). */
  seq: number;
  /** Sequences per batch (default 8). */
  batch: number;
}

/** The benchmark configuration of the issue: hidden 128, 4 layers, 4 heads, SwiGLU 352, vocab 256, T 128, B 8. */
export const BENCH_MODEL: BenchModelConfig = { vocab: 256, hidden: 128, layers: 4, heads: 4, intermediate: 352, seq: 128, batch: 8 };

/** Parameter shapes by name (sorted names are what TrainStep uses). */
export function benchParamShapes(c: BenchModelConfig): Record<string, Shape> {
  const s: Record<string, Shape> = { embed: [c.vocab, c.hidden], final_norm: [c.hidden], head: [c.hidden, c.vocab] };
  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}.`;
    s[`${p}attn_norm`] = [c.hidden];
    for (const w of ['wq', 'wk', 'wv', 'wo']) s[p + w] = [c.hidden, c.hidden];
    s[`${p}mlp_norm`] = [c.hidden];
    s[`${p}w_gate`] = [c.hidden, c.intermediate];
    s[`${p}w_up`] = [c.hidden, c.intermediate];
    s[`${p}w_down`] = [c.intermediate, c.hidden];
  }
  return s;
}

/** Seeded initial parameters: N(0, 0.02) matrices, ones for norm weights. */
export function initBenchParams(c: BenchModelConfig, seed = 1): Record<string, { shape: Shape; data: Float32Array }> {
  const rng = new Rng(seed);
  const out: Record<string, { shape: Shape; data: Float32Array }> = {};
  for (const [name, shape] of Object.entries(benchParamShapes(c)).sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[name] = { shape, data: name.endsWith('norm') ? constantInit(shape, 1) : normalInit(rng, shape, 0.02) };
  }
  return out;
}

/** Mean cross-entropy of next-token prediction: `batch.ids` and `batch.targets` are i32 [B, T]. */
export function benchLoss(c: BenchModelConfig, p: NamedTensors, batch: NamedTensors): Tensor {
  const { batch: b, seq: t, hidden: d, heads: h } = c;
  const hd = d / h;
  const positions = iota(t);
  const heads = (x: Tensor): Tensor => x.reshape([b, t, h, hd]).transpose([0, 2, 1, 3]); // [B*T, D] -> [B, H, T, hd]
  let x = ops.embedding(p.embed!, batch.ids!.reshape([b * t])); // [B*T, D]
  for (let l = 0; l < c.layers; l++) {
    const w = (n: string): Tensor => p[`layer${l}.${n}`]!;
    const a = ops.rmsNorm(x, w('attn_norm'), 1e-5);
    const q = ops.rope(heads(a.matmul(w('wq'))), positions);
    const k = ops.rope(heads(a.matmul(w('wk'))), positions);
    const v = heads(a.matmul(w('wv')));
    const att = ops.causalAttention(q, k, v).transpose([0, 2, 1, 3]).reshape([b * t, d]);
    x = x.add(att.matmul(w('wo')));
    const m = ops.rmsNorm(x, w('mlp_norm'), 1e-5);
    x = x.add(ops.silu(m.matmul(w('w_gate'))).mul(m.matmul(w('w_up'))).matmul(w('w_down')));
  }
  const logits = ops.rmsNorm(x, p.final_norm!, 1e-5).matmul(p.head!); // [B*T, V]
  return ops.crossEntropy(logits, batch.targets!.reshape([b * t]));
}

/** A seeded batch of byte tokens: targets are ids shifted by one within a random byte stream. */
export function benchBatch(c: BenchModelConfig, seed: number): { ids: Int32Array; targets: Int32Array } {
  const rng = new Rng(seed);
  const n = c.batch * c.seq;
  const stream = new Int32Array(n + c.batch);
  // Mildly structured data (a noisy repeating pattern) so the loss visibly falls during a short run.
  for (let i = 0; i < stream.length; i++) stream[i] = rng.nextFloat() < 0.75 ? (i * 7) % c.vocab : rng.int(c.vocab);
  const ids = new Int32Array(n), targets = new Int32Array(n);
  for (let s = 0; s < c.batch; s++) {
    for (let j = 0; j < c.seq; j++) {
      ids[s * c.seq + j] = stream[s * (c.seq + 1) + j]!;
      targets[s * c.seq + j] = stream[s * (c.seq + 1) + j + 1]!;
    }
  }
  return { ids, targets };
}
