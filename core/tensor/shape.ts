// Static shapes: sizes, strides, numpy-style broadcasting and axis normalization, with errors that name the op.
// Shapes are plain number arrays; rank 0 (`[]`) is a scalar.

/** A static tensor shape. `[]` is a scalar. */
export type Shape = readonly number[];

/** Thrown when a graph is built with inconsistent shapes, dtypes or attributes. */
export class GraphBuildError extends Error {
  override name = 'GraphBuildError';
}

/** `[2,3]` for messages. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** Number of elements (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** True when both shapes have the same rank and dims. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws unless every dim is a non-negative integer. */
export function checkShape(shape: Shape, op: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new GraphBuildError(`${op}: invalid shape ${JSON.stringify(shape)} (dims must be non-negative integers)`);
  }
}

/** numpy broadcasting of any number of shapes; the error names the op and every shape. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1) continue;
      if (out[i] !== 1 && out[i] !== d) {
        throw new GraphBuildError(
          `${op}: shapes ${shapes.map(fmt).join(' and ')} do not broadcast (axis ${i - rank} of the result: ${out[i]} vs ${d})`);
      }
      out[i] = d;
    }
  }
  return out;
}

/** True when `from` broadcasts to exactly `to` (numpy rules, `to` fixed). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  const off = to.length - from.length;
  return from.every((d, i) => d === 1 || d === to[off + i]);
}

/** Resolves a possibly negative axis against `rank`; the error names the op, the axis and the shape. */
export function normAxis(axis: number, rank: number, op: string, shape?: Shape): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new GraphBuildError(`${op}: axis ${axis} is out of range for rank ${rank}${shape ? ` (shape ${fmt(shape)})` : ''}`);
  }
  return a;
}
