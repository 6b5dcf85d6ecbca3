// Element types of the tensor graph and the host arrays that carry their data.
// Graph dtypes are f32 and i32 only; a backend may hold f32 tensors in f64 (the CPU reference for gradient checks).

/** Element type of a tensor in the graph. */
export type DType = 'f32' | 'i32';

/** All graph dtypes, for validation messages. */
export const DTYPES: readonly DType[] = ['f32', 'i32'];

/** Host-side data of one tensor: f32 tensors come back as Float32Array (Float64Array from an f64 backend). */
export type HostArray = Float32Array | Float64Array | Int32Array;

/** What callers may hand to `upload` or a feed: a typed array or plain numbers. */
export type HostData = HostArray | readonly number[];

/** Throws unless `d` is a graph dtype; `where` names the caller for the message. */
export function checkDType(d: string, where: string): DType {
  if (d !== 'f32' && d !== 'i32') throw new Error(`${where}: unknown dtype '${d}' (valid: ${DTYPES.join(', ')})`);
  return d;
}

/** Copies `data` into a new array of the storage type for `dtype` (`f64` picks Float64Array for f32 tensors). */
export function toStorage(data: HostData, dtype: DType, f64 = false): HostArray {
  if (dtype === 'i32') return Int32Array.from(data as ArrayLike<number>);
  return f64 ? Float64Array.from(data as ArrayLike<number>) : Float32Array.from(data as ArrayLike<number>);
}
