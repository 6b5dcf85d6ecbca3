// Weight-only block quantization in onnxruntime's MatMulNBits layout: a weight matrix stored [N, K] (N output
// features, K inputs: a checkpoint's [out, in] Linear weight) is cut along K into blocks of `blockSize`; each block
// has one float scale, codes are unsigned with the implicit zero point 2^(bits-1) (symmetric: scale = absmax /
// (2^(bits-1) - 1), so |w - dequantized| <= scale / 2), and 4-bit codes are packed two per byte, low nibble first.

/** Bits per code: 8 (int8) or 4 (int4). */
export type QuantBits = 4 | 8;

/** The names `--quantize` takes, with their bits. */
export const QUANT_FORMATS: Readonly<Record<string, QuantBits>> = { int8: 8, int4: 4 };

/** A block-quantized [N, K] matrix. */
export interface QuantizedMatrix {
  /** Bits per code (4 or 8). */
  bits: QuantBits;
  /** Values of K per block (a power of two >= 16). */
  blockSize: number;
  /** Rows (output features). */
  n: number;
  /** Columns (input features, the reduction axis). */
  k: number;
  /** Codes, `[n, ceil(k / blockSize), blockSize * bits / 8]` bytes (MatMulNBits input B). */
  packed: Uint8Array;
  /** One scale per block, `[n * ceil(k / blockSize)]` (MatMulNBits input scales). */
  scales: Float32Array;
}

/** Blocks per row of a quantized matrix. */
export const blocksPerRow = (k: number, blockSize: number): number => Math.ceil(k / blockSize);

/** Throws a RangeError unless `bits` is 4 or 8 and `blockSize` a power of two >= 16. */
export function checkQuantization(bits: number, blockSize: number): void {
  if (bits !== 4 && bits !== 8) throw new RangeError(`quantize: bits must be 4 or 8, got ${bits}`);
  if (!(blockSize >= 16 && (blockSize & (blockSize - 1)) === 0)) throw new RangeError(`quantize: blockSize must be a power of two >= 16, got ${blockSize}`);
}

/** Quantizes row-major `w` `[n, k]` (values past k in a last partial block count as 0). */
export function quantizeMatrix(w: Float32Array, n: number, k: number, bits: QuantBits, blockSize = 32): QuantizedMatrix {
  checkQuantization(bits, blockSize);
  if (w.length !== n * k) throw new RangeError(`quantize: ${w.length} values do not make a [${n}, ${k}] matrix`);
  const nb = blocksPerRow(k, blockSize), blob = (blockSize * bits) / 8, zero = 1 << (bits - 1), top = (1 << bits) - 1;
  const packed = new Uint8Array(n * nb * blob), scales = new Float32Array(n * nb);
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < nb; b++) {
      const from = r * k + b * blockSize, len = Math.min(blockSize, k - b * blockSize);
      let max = 0, sum = 0;
      for (let i = 0; i < len; i++) { const a = Math.abs(w[from + i]!); sum += a; if (a > max) max = a; }
      if (!Number.isFinite(sum)) throw new RangeError(`quantize: row ${r}, block ${b} holds a non-finite value`);
      const scale = max / (zero - 1), inv = scale === 0 ? 0 : 1 / scale;
      scales[r * nb + b] = scale;
      const out = (r * nb + b) * blob;
      for (let i = 0; i < blockSize; i++) {
        const code = i < len ? Math.min(top, Math.max(0, Math.round(w[from + i]! * inv) + zero)) : zero;
        if (bits === 8) packed[out + i] = code;
        else packed[out + (i >> 1)]! |= (i & 1) === 0 ? code : code << 4;
      }
    }
  }
  return { bits, blockSize, n, k, packed, scales };
}

/** The values a quantized matrix stands for, row-major `[n, k]` (or `[k, n]` when `transposed`). */
export function dequantizeMatrix(q: QuantizedMatrix, transposed = false): Float32Array {
  const { n, k, bits, blockSize } = q;
  const nb = blocksPerRow(k, blockSize), blob = (blockSize * bits) / 8, zero = 1 << (bits - 1);
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      const b = Math.floor(j / blockSize), i = j % blockSize, at = (r * nb + b) * blob;
      const code = bits === 8 ? q.packed[at + i]! : (q.packed[at + (i >> 1)]! >> ((i & 1) * 4)) & 15;
      out[transposed ? j * n + r : r * k + j] = (code - zero) * q.scales[r * nb + b]!;
    }
  }
  return out;
}

/** Bytes a quantized matrix keeps (codes and scales). */
export const quantizedBytes = (q: QuantizedMatrix): number => q.packed.byteLength + q.scales.byteLength;
