// Gradient checks for the conformance suite: analytic gradients from autodiff against central finite
// differences in float64 (on a backend that computes f32 tensors in f64), or against the CPU f64 reference.
import { grad } from '../../core/tensor/autodiff.js';
import type { ComputeBackend, DeviceBuffer } from '../../core/tensor/backend.js';
import { applyOp } from '../../core/tensor/ops.js';
import { constant, input } from '../../core/tensor/primitives.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import type { ConformanceCase } from './cases.js';

/** Fixed pseudo-random weights in [-1, 1] (multiples of 1/64, exact in f32) from the case name. */
export function lossWeights(name: string, n: number): number[] {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return Array.from({ length: n }, () => {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    return Math.round(((h / 2 ** 32) * 2 - 1) * 64) / 64;
  });
}

/** The case's op on inputs `in0..`, and the scalar loss sum(out * W). */
export function caseGraph(c: ConformanceCase): { inputs: Tensor[]; out: Tensor; loss: () => Tensor } {
  const inputs = c.inputs.map((x, i) => input(`in${i}`, x.shape, x.dtype));
  const out = applyOp(c.op, inputs, c.attrs as Record<string, never>);
  const loss = (): Tensor => out.mul(constant(lossWeights(c.name, out.size), out.shape)).sum();
  return { inputs, out, loss };
}

/** Analytic gradients of the case loss for the `wrt` operands, computed on `backend`. */
export async function analyticGrads(backend: ComputeBackend, c: ConformanceCase, wrt: number[]): Promise<Float64Array[]> {
  const { inputs, loss } = caseGraph(c);
  const grads = grad(loss(), wrt.map((i) => inputs[i]!));
  const g = backend.compile(grads);
  const bufs = upload(backend, c, g.program.inputs.map((i) => i.name));
  try {
    const outs = await backend.run(g, bufs);
    const res = await Promise.all(outs.map(async (o) => Float64Array.from(await backend.download(o))));
    outs.forEach((o) => backend.free(o));
    return res;
  } finally {
    Object.values(bufs).forEach((b) => backend.free(b));
  }
}

/** Central differences (step h) of the case loss for each element of the `wrt` operands. */
export async function numericGrads(backend: ComputeBackend, c: ConformanceCase, wrt: number[], h = 1e-6): Promise<Float64Array[]> {
  const { loss } = caseGraph(c);
  const g = backend.compile([loss()]);
  const names = g.program.inputs.map((i) => i.name);
  const bufs = upload(backend, c, names);
  const evalLoss = async (): Promise<number> => {
    const [o] = await backend.run(g, bufs);
    const v = (await backend.download(o!))[0]!;
    backend.free(o!);
    return v;
  };
  try {
    const result: Float64Array[] = [];
    for (const k of wrt) {
      const data = Float64Array.from(c.inputs[k]!.data);
      const out = new Float64Array(data.length);
      const buf = bufs[`in${k}`];
      for (let j = 0; j < data.length; j++) {
        if (!buf) break; // operand not read by the loss: gradient 0
        const x = data[j]!;
        data[j] = x + h; backend.upload(buf, data);
        const up = await evalLoss();
        data[j] = x - h; backend.upload(buf, data);
        const down = await evalLoss();
        data[j] = x;
        out[j] = (up - down) / (2 * h);
      }
      if (buf) backend.upload(buf, data);
      result.push(out);
    }
    return result;
  } finally {
    Object.values(bufs).forEach((b) => backend.free(b));
  }
}

function upload(backend: ComputeBackend, c: ConformanceCase, names: string[]): Record<string, DeviceBuffer> {
  const bufs: Record<string, DeviceBuffer> = {};
  for (const name of names) {
    const x = c.inputs[Number(name.slice(2))]!;
    bufs[name] = backend.allocate(x.shape, x.dtype);
    backend.upload(bufs[name]!, x.data);
  }
  return bufs;
}

/** Describes the worst element where |a - b| > abs + rel*|b|, or undefined when all pass. */
export function compareArrays(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel: number): string | undefined {
  if (got.length !== want.length) return `length ${got.length} != expected ${want.length}`;
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    const err = Math.abs(g - w);
    const excess = Number.isNaN(err) ? Infinity : err - (abs + rel * Math.abs(w));
    if (excess > worstExcess || (Number.isNaN(g) !== Number.isNaN(w))) { worst = i; worstExcess = excess; }
  }
  if (worst < 0) return undefined;
  return `element ${worst}: got ${got[worst]}, expected ${want[worst]} (|diff| ${Math.abs(got[worst]! - want[worst]!)} > ${abs} + ${rel}*|expected|)`;
}
