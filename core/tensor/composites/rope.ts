// Composite rope: rotary position embedding on [B, H, T, D] with i32 positions ([T] or [B, T]) and inverse
// frequencies as an operand. Conventions: 'half' (HF Llama, rotate halves) and 'interleaved' (pairs 2i, 2i+1).
import { compositeNode, defineComposite } from '../composite.js';
import { concat, constant } from '../primitives.js';
import { GraphBuildError, fmt } from '../shape.js';
import type { Tensor } from '../tensor.js';

/** How the rotated pairs are laid out in the head dimension. */
export type RopeConvention = 'half' | 'interleaved';

/** Options of `rope`. */
export interface RopeOptions {
  /** 'half' pairs (i, i + D/2) as in HF Llama; 'interleaved' pairs (2i, 2i+1) as in llama2.c. Default 'half'. */
  convention?: RopeConvention;
  /** Base of the frequencies when `invFreq` is not given: invFreq[i] = theta^(-2i/D). Default 10000. */
  theta?: number;
  /** Precomputed inverse frequencies `[D/2]` (e.g. with Llama-3 scaling), as a tensor or numbers. */
  invFreq?: Tensor | readonly number[];
}

/** `theta^(-2i/dim)` for i in [0, dim/2), computed in f64. */
export function ropeInverseFrequencies(dim: number, theta = 10000): number[] {
  return Array.from({ length: dim / 2 }, (_, i) => Math.pow(theta, (-2 * i) / dim));
}

defineComposite({
  name: 'rope',
  summary: "rotary embedding of [B,H,T,D] by positions ([T] or [B,T], i32) and invFreq [D/2]; convention 'half' | 'interleaved'",
  apply: (inputs, attrs) => rope(inputs[0]!, inputs[1]!, { convention: attrs.convention as RopeConvention, invFreq: inputs[2] }),
  decompose([x, pos, invFreq], attrs) {
    const [d] = x!.shape.slice(-1) as [number];
    const t = pos!.shape[pos!.rank - 1]!;
    const h = d / 2;
    let ang = pos!.cast('f32').unsqueeze(-1).mul(invFreq!); // [T, h] or [B, T, h]
    if (pos!.rank === 2) ang = ang.reshape([pos!.shape[0]!, 1, t, h]);
    if (attrs.convention === 'interleaved') {
      const c = ang.cos().unsqueeze(-1), s = ang.sin().unsqueeze(-1);
      const xr = x!.reshape([...x!.shape.slice(0, -1), h, 2]);
      const xe = xr.slice(-1, 0, 1), xo = xr.slice(-1, 1, 2);
      return concat([xe.mul(c).sub(xo.mul(s)), xo.mul(c).add(xe.mul(s))], -1).reshape(x!.shape);
    }
    const c = ang.cos(), s = ang.sin();
    const x1 = x!.slice(-1, 0, h), x2 = x!.slice(-1, h, d);
    return concat([x1.mul(c).sub(x2.mul(s)), x2.mul(c).add(x1.mul(s))], -1);
  },
});

/** Rotary position embedding of `x` `[B, H, T, D]` (or `[..., T, D]` with positions `[T]`). */
export function rope(x: Tensor, positions: Tensor, options: RopeOptions = {}): Tensor {
  const convention = options.convention ?? 'half';
  const bad = (why: string): never => {
    throw new GraphBuildError(`rope: ${why} (x ${x.dtype} ${fmt(x.shape)}, positions ${positions.dtype} ${fmt(positions.shape)})`);
  };
  if (convention !== 'half' && convention !== 'interleaved') bad(`convention '${String(convention)}' (valid: half, interleaved)`);
  if (x.dtype !== 'f32' || x.rank < 2) bad('x must be f32 with rank >= 2 ([..., T, D])');
  const d = x.shape[x.rank - 1]!, t = x.shape[x.rank - 2]!;
  if (d % 2 !== 0) bad(`head dim ${d} must be even`);
  if (positions.dtype !== 'i32') bad('positions must be i32');
  if (positions.rank === 1) {
    if (positions.shape[0] !== t) bad(`positions [T] must match T = ${t}`);
  } else if (positions.rank === 2) {
    if (x.rank !== 4 || positions.shape[0] !== x.shape[0] || positions.shape[1] !== t) bad('positions [B, T] need x [B, H, T, D]');
  } else bad('positions must be [T] or [B, T]');
  const inv = options.invFreq === undefined ? constant(ropeInverseFrequencies(d, options.theta ?? 10000))
    : Array.isArray(options.invFreq) ? constant(options.invFreq as number[]) : (options.invFreq as Tensor);
  if (inv.dtype !== 'f32' || inv.rank !== 1 || inv.shape[0] !== d / 2) {
    bad(`invFreq must be f32 [${d / 2}], got ${inv.dtype} ${fmt(inv.shape)}`);
  }
  return compositeNode('rope', [x, positions, inv], { convention }, x.shape, 'f32');
}
