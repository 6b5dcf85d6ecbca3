// Encoding float32 weights as the float dtypes gramr writes (F32, BF16, F16), little-endian, rounding to nearest
// even as PyTorch's casts do (NaN stays NaN, overflow to F16 gives ±Infinity). The inverse of dtype-decode.ts.

/** The dtypes gramr writes weights in. */
export const WRITE_DTYPES = ['F32', 'BF16', 'F16'] as const;

/** One of WRITE_DTYPES. */
export type WriteDtype = (typeof WRITE_DTYPES)[number];

/** Bytes per value of a written dtype. */
export function writeDtypeBytes(dtype: WriteDtype): number {
  return dtype === 'F32' ? 4 : 2;
}

/** `torch_dtype` of config.json for a written dtype. */
export function torchDtypeOf(dtype: WriteDtype): string {
  return dtype === 'F32' ? 'float32' : dtype === 'BF16' ? 'bfloat16' : 'float16';
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> bfloat16 bits, rounded to nearest even; NaN stays a (quiet) NaN. */
export function floatToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 -> IEEE half bits, rounded to nearest even (subnormals, ±Infinity on overflow, NaN kept). */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** `data` as little-endian bytes of `dtype` (F32 is a view, no copy). */
export function encodeFloat32(data: Float32Array, dtype: WriteDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint16Array(data.length);
  const enc = dtype === 'BF16' ? floatToBf16 : floatToHalf;
  for (let i = 0; i < data.length; i++) out[i] = enc(data[i]!);
  return new Uint8Array(out.buffer);
}
