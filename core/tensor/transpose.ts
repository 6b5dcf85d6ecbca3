// Transposing row-major 2-D float matrices on the host, in cache-friendly tiles (checkpoint layouts, weight
// merging in lowerings, downloads of weights held transposed).

/** Transposes row-major [rows, cols] `src` into `dst` ([cols, rows]) in 64x64 tiles; returns `dst`. */
export function transposeInto(src: Float32Array, rows: number, cols: number, dst: Float32Array): Float32Array {
  if (src.length !== rows * cols || dst.length !== rows * cols) {
    throw new RangeError(`transposeInto: [${rows}, ${cols}] needs ${rows * cols} values; source has ${src.length}, target ${dst.length}`);
  }
  const T = 64;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const base = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[base + c]!;
      }
    }
  }
  return dst;
}
