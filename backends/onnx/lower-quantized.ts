// Matmuls on block-quantized weights: `x @ W` where W is a program input the backend holds quantized
// (core/tensor/quantize.ts) becomes one com.microsoft MatMulNBits node whose packed codes and scales are
// initializers (onnxruntime prepacks them for its int8-compute kernels). A quantized weight used any other way
// fails at compile time, naming the op.
import type { Program } from '../../core/tensor/program.js';
import type { QuantizedMatrix } from '../../core/tensor/quantize.js';
import { blocksPerRow } from '../../core/tensor/quantize.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { attr, type OnnxGraphBuilder } from './graph-builder.js';
import { OnnxType } from './onnx-model.js';

/** The matmul nodes of `program` whose right operand is a quantized input, with that input's name. */
export function quantizedMatmuls(program: Program, quantized: ReadonlyMap<string, QuantizedMatrix>): Map<Tensor, string> {
  const out = new Map<Tensor, string>();
  if (quantized.size === 0) return out;
  const isQuant = (t: Tensor): boolean => t.op === 'input' && quantized.has(t.attrs.name as string);
  for (const n of program.nodes) {
    n.inputs.forEach((x, i) => {
      if (!isQuant(x)) return;
      if (n.op !== 'matmul' || i !== 1 || n.inputs[0]!.rank !== 2) {
        throw new Error(`onnx.compile: weight '${String(x.attrs.name)}' is quantized, so it can only be the right operand of a 2-D matmul; ${n} uses it as operand ${i}`);
      }
      out.set(n, x.attrs.name as string);
    });
  }
  for (const o of program.outputs) {
    if (isQuant(program.nodes[o]!)) throw new Error(`onnx.compile: quantized weight '${String(program.nodes[o]!.attrs.name)}' cannot be a program output`);
  }
  return out;
}

/**
 * Emits MatMulNBits(a, codes, scales) for weight `name` (initializers added once per model). `accuracy` is its
 * accuracy_level: 0 computes in f32 on the dequantized weights, 4 quantizes the activations to int8 per block
 * (the fast kernels on AVX-512 VNNI / AVX-VNNI).
 */
export function lowerQuantizedMatmul(b: OnnxGraphBuilder, a: string, name: string, q: QuantizedMatrix, accuracy: number): string {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  const [codes, scales] = b.memo(`q:${name}`, () => {
    const nb = blocksPerRow(q.k, q.blockSize);
    b.initializer(`${safe}_q${q.bits}`, OnnxType.UINT8, [q.n, nb, (q.blockSize * q.bits) / 8], q.packed);
    b.initializer(`${safe}_scales`, OnnxType.FLOAT, [q.n * nb], new Uint8Array(q.scales.buffer, q.scales.byteOffset, q.scales.byteLength));
    return `${safe}_q${q.bits}|${safe}_scales`;
  }).split('|') as [string, string];
  b.useOpset('com.microsoft', 1);
  return b.op('MatMulNBits', [a, codes, scales], [
    attr.int('K', q.k), attr.int('N', q.n), attr.int('bits', q.bits), attr.int('block_size', q.blockSize), attr.int('accuracy_level', accuracy),
  ], 'com.microsoft');
}
