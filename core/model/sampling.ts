// Next-token choice from one row of logits: greedy (argmax, lowest id on ties) or sampling with temperature,
// top-k and top-p (nucleus), drawn with a seeded Rng (core/tensor/rng.ts) so a seed reproduces a generation.
import type { Rng } from '../tensor/rng.js';

/** How to pick the next token. */
export interface SamplingOptions {
  /** 0 (default) is greedy; > 0 divides the logits before the softmax. */
  temperature?: number;
  /** Keep only the k most likely tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (1 or undefined: all). */
  topP?: number;
}

/** Checks sampling options; the error names the option and the valid range. */
export function checkSampling(o: SamplingOptions): void {
  if (o.temperature !== undefined && !(o.temperature >= 0 && Number.isFinite(o.temperature))) throw new RangeError(`temperature must be a finite number >= 0, got ${o.temperature}`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) throw new RangeError(`topK must be an integer >= 0, got ${o.topK}`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new RangeError(`topP must be in (0, 1], got ${o.topP}`);
}

/** Index of the largest value (the first one on ties); NaN never wins. */
export function argmax(row: ArrayLike<number>): number {
  let best = 0, bv = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > bv) { bv = row[i]!; best = i; }
  return best;
}

/** Picks a token from `logits` (one row) with `options`, drawing from `rng` when sampling. */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions, rng: Rng): number {
  const temp = options.temperature ?? 0;
  if (temp === 0) return argmax(logits);
  const v = logits.length;
  let m = -Infinity;
  for (let i = 0; i < v; i++) if (logits[i]! > m) m = logits[i]!;
  const probs = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) { const p = Math.exp((logits[i]! - m) / temp); probs[i] = p; total += p; }
  const topK = options.topK ?? 0, topP = options.topP ?? 1;
  if ((topK > 0 && topK < v) || topP < 1) {
    // Candidates by descending probability (ties by id), cut by top-k, then by top-p on the renormalized rest.
    const order = Array.from({ length: v }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b);
    let keep = topK > 0 ? Math.min(topK, v) : v;
    let kept = 0;
    for (let i = 0; i < keep; i++) kept += probs[order[i]!]!;
    if (topP < 1) {
      let cum = 0;
      for (let i = 0; i < keep; i++) {
        cum += probs[order[i]!]! / kept;
        if (cum >= topP - 1e-9) { keep = i + 1; break; } // 1e-9: a set whose mass is exactly p (up to rounding) reaches it
      }
    }
    let mass = 0;
    for (let i = 0; i < keep; i++) mass += probs[order[i]!]!;
    let u = rng.nextFloat() * mass;
    for (let i = 0; i < keep; i++) {
      u -= probs[order[i]!]!;
      if (u < 0) return order[i]!;
    }
    return order[keep - 1]!;
  }
  let u = rng.nextFloat() * total;
  let last = 0;
  for (let i = 0; i < v; i++) {
    if (probs[i]! > 0) last = i;
    u -= probs[i]!;
    if (u < 0) return i;
  }
  return last; // rounding left u >= 0: the last token with mass
}
