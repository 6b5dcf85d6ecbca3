// safetensors dtypes: their byte sizes, and decoding the float ones (F32, F16, BF16, F64) to Float32Array.
// Assumes a little-endian host (x86, ARM), as safetensors data is little-endian.

/** Every dtype the safetensors format defines, with its size in bytes. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** The dtypes that decode to float32 weights. */
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;

/** Decode little-endian raw bytes of `dtype` into float32 values. */
export function decodeToFloat32(bytes: Uint8Array, dtype: string): Float32Array {
  switch (dtype) {
    case 'F32':
      return bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : new Float32Array(bytes.slice().buffer);
    case 'F64':
      return Float32Array.from(new Float64Array(bytes.slice().buffer));
    case 'BF16': {
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = (bytes[2 * i]! | (bytes[2 * i + 1]! << 8)) << 16;
      return out;
    }
    case 'F16': {
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
      return out;
    }
    default:
      throw new RangeError(`dtype ${dtype} is not a float type; readable as weights: ${FLOAT_DTYPES.join(', ')}`);
  }
}

/** IEEE 754 half-precision bits to a number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
