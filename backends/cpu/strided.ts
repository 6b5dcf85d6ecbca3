// Strided iteration shared by the CPU movement and elementwise kernels: operands are views (shape + strides
// + offset) of flat arrays; dims that are contiguous for every operand are merged so inner loops stay long.
import type { Shape } from '../../core/tensor/shape.js';
import { stridesOf } from '../../core/tensor/shape.js';

/** Strides of `inShape` read as if broadcast to `outShape` (0 on stretched or missing axes). */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const s = stridesOf(inShape);
  const off = outShape.length - inShape.length;
  return outShape.map((d, i) => (i < off || inShape[i - off] === 1 ? 0 : s[i - off]!));
}

/** Merges dims that every operand walks contiguously and drops size-1 dims. */
export function coalesce(shape: Shape, strides: readonly number[][]): { dims: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => out[k]![last] === s[i]! * d)) {
      dims[last]! *= d;
      strides.forEach((s, k) => { out[k]![last] = s[i]!; });
    } else {
      dims.push(d);
      strides.forEach((s, k) => out[k]!.push(s[i]!));
    }
  }
  return { dims, strides: out };
}

/**
 * Calls `row(offsets, n, innerStrides)` once per innermost row of `shape`, where `offsets[k]` is operand k's
 * element offset at the row start (starting from `bases[k]`). `offsets` is reused between calls.
 */
export function forEachRow(
  shape: Shape, strides: readonly number[][], bases: readonly number[],
  row: (offsets: number[], n: number, inner: readonly number[]) => void,
): void {
  for (const d of shape) if (d === 0) return;
  const { dims, strides: st } = coalesce(shape, strides);
  const r = dims.length;
  const offs = [...bases];
  if (r === 0) { row(offs, 1, st.map(() => 0)); return; }
  const n = dims[r - 1]!;
  const inner = st.map((s) => s[r - 1]!);
  let rows = 1;
  for (let i = 0; i < r - 1; i++) rows *= dims[i]!;
  const count = new Array<number>(r).fill(0);
  for (let q = 0; q < rows; q++) {
    row(offs, n, inner);
    for (let d = r - 2; d >= 0; d--) {
      for (let k = 0; k < offs.length; k++) offs[k]! += st[k]![d]!;
      if (++count[d]! < dims[d]!) break;
      for (let k = 0; k < offs.length; k++) offs[k]! -= st[k]![d]! * dims[d]!;
      count[d] = 0;
    }
  }
}
