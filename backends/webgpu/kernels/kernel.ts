// The WebGPU kernel signature and the helpers every kernel uses. A kernel is a plain function of the node: it
// allocates its output, records dispatches of WGSL it generates with the shapes baked in as constants, and returns
// the output (or an operand unchanged, for aliases such as reshape). The backend compiles each distinct source once.
import type { DType } from '../../../core/tensor/dtype.js';
import type { Tensor } from '../../../core/tensor/tensor.js';
import type { GpuTensor } from '../gpu-buffer-pool.js';

export type { GpuTensor } from '../gpu-buffer-pool.js';

/** One dispatch of a compute shader (entry point `main`). */
export interface Dispatch {
  /** Kernel name for error messages (`matmul`, `softmax`, ...). */
  kernel: string;
  /** Full WGSL source; `@group(0) @binding(i)` is `bindings[i]`. */
  code: string;
  /** Buffers bound in binding order. Outputs must not also be bound as inputs. */
  bindings: GpuTensor[];
  /** Workgroup counts [x, y, z] (each at most 65535). */
  workgroups: [number, number, number];
}

/** What a kernel may use while it records. */
export interface KernelContext {
  /** A tensor of `n` elements with arbitrary contents: every element must be written. */
  alloc(n: number, dtype: DType): GpuTensor;
  /** A zero-filled tensor (cleared on the device before the next dispatch). */
  zeros(n: number, dtype: DType): GpuTensor;
  /** Gives back a scratch tensor from `alloc`/`zeros` that the kernel does not return (after its last dispatch). */
  release(t: GpuTensor): void;
  /** Records one dispatch. */
  dispatch(d: Dispatch): void;
  /** Records a copy of `count` elements from `src[srcOffset..]` to `dst[dstOffset..]`. */
  copy(src: GpuTensor, srcOffset: number, dst: GpuTensor, dstOffset: number, count: number): void;
  /**
   * A failure a shader may report (an index out of range): returns the code the WGSL writes with `STATUS_WGSL`'s
   * `report(code, position)`, and the message the run throws with the first reported position.
   */
  failure(message: (position: number) => string): number;
  /** The status buffer to bind for `report` (array<atomic<u32>, 2>). */
  status(): GpuTensor;
  /** Device limits (workgroup storage, invocations per workgroup). */
  readonly limits: GPUSupportedLimits;
}

/** Computes `node` from its operands' buffers; see the file header. */
export type WebGpuKernel = (node: Tensor, inputs: GpuTensor[], ctx: KernelContext) => GpuTensor;

/** WGSL element type of a dtype. */
export function wgslType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'i32' ? 'i32' : 'f32';
}

/** Largest workgroup count per dimension (WebGPU's default limit). */
export const MAX_GROUPS = 65535;

/**
 * Workgroups covering `n` invocations of a 1-D kernel with workgroup size `wg`, spread over x and y when more than
 * 65535 groups are needed; the shader computes its linear index with `linearIndex(wg, groups[0])`.
 */
export function linearGroups(n: number, wg: number): [number, number, number] {
  const groups = Math.ceil(n / wg);
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y, 1];
}

/** WGSL expression for the linear invocation index (needs `@builtin(workgroup_id) wid` and `@builtin(local_invocation_index) lid`). */
export function linearIndex(wg: number, groupsX: number): string {
  return `((wid.y * ${groupsX}u + wid.x) * ${wg}u + lid)`;
}

/**
 * A 1-D kernel over `n` invocations of workgroup size `wg`: `decls` (bindings, helper functions) then `main`, where
 * `body` runs with the linear index `i < n`. Returns the source and its workgroups (spread over x/y past 65535).
 */
export function linearKernel(n: number, decls: string, body: string, wg = 256): { code: string; groups: [number, number, number] } {
  const groups = linearGroups(n, wg);
  const code = `${decls}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = ${linearIndex(wg, groups[0])};
  if (i >= ${n}u) { return; }
${body}
}`;
  return { code, groups };
}

/** WGSL that declares the status buffer at `binding` and `fn report(code: u32, position: u32)` (first report wins). */
export function statusWgsl(binding: number): string {
  return `@group(0) @binding(${binding}) var<storage, read_write> status: array<atomic<u32>, 2>;
fn report(code: u32, position: u32) {
  loop {
    let r = atomicCompareExchangeWeak(&status[0], 0u, code);
    if (r.exchanged) { atomicStore(&status[1], position); break; }
    if (r.old_value != 0u) { break; }
  }
}`;
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/**
 * Module-scope WGSL every kernel may include: the bit patterns of +Inf, -Inf and NaN in private variables, and
 * `isnan_(x)` (a bit test: `x != x` may be folded away by shader compilers). WGSL
 * rejects a constant expression that evaluates to Inf or NaN, but reading a `var` is not constant, so
 * `bitcast<f32>(POS_INF_BITS)` is accepted. `f32Literal` of a non-finite value refers to these.
 */
export const F32_SPECIALS_WGSL = `var<private> POS_INF_BITS: u32 = 0x7f800000u;
var<private> NEG_INF_BITS: u32 = 0xff800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

/** A WGSL f32 expression equal to `v`; Inf and NaN need `F32_SPECIALS_WGSL` in the module. */
export function f32Literal(v: number): string {
  if (Number.isNaN(v)) return 'bitcast<f32>(NAN_BITS)';
  if (v === Infinity) return 'bitcast<f32>(POS_INF_BITS)';
  if (v === -Infinity) return 'bitcast<f32>(NEG_INF_BITS)';
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return f > 0 ? 'bitcast<f32>(POS_INF_BITS)' : 'bitcast<f32>(NEG_INF_BITS)';
  if (f === 0) return Object.is(f, -0) ? 'f32(-0.0)' : 'f32(0.0)';
  // Subnormals and full precision: the exact bit pattern.
  const bits = new Uint32Array(new Float32Array([f]).buffer)[0]!;
  return `bitcast<f32>(0x${bits.toString(16)}u)`;
}

/** A WGSL i32 expression equal to `v` (i32 minimum has no plain literal). */
export function i32Literal(v: number): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`i32Literal: ${v} is not an int32`);
  return v === -2147483648 ? 'i32(-2147483647 - 1)' : `i32(${v})`;
}
