// The compute backend contract: an allocator (allocate / upload / download / free, live-buffer counters) and a
// runtime (compile a graph once, run it many times with different feeds), plus a name, init and capabilities.
// Core never imports a backend.
import type { DType, HostArray, HostData } from './dtype.js';
import type { Program } from './program.js';
import type { QuantizedMatrix } from './quantize.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** A tensor's storage on a backend. Opaque: only the backend that made it can read it. */
export interface DeviceBuffer {
  /** Backend-unique id (for messages). */
  readonly id: number;
  /** Name of the backend that owns it. */
  readonly backend: string;
  /** Static shape. */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
}

/** What a backend can do. */
export interface BackendCapabilities {
  /** Graph dtypes it stores and computes. */
  dtypes: DType[];
  /** True when f32 tensors can be computed in float64 (gradient checks need it). */
  f64: boolean;
  /** Composite op names it runs with fused kernels (others are expanded into primitives). */
  fusedKernels: string[];
  /** Largest single buffer in bytes, when limited. */
  maxBufferBytes?: number;
}

/** Live allocation counters: they must stay flat across training steps. */
export interface MemoryCounters {
  /** Buffers currently allocated and not freed (caller-held and in-flight intermediates). */
  buffers: number;
  /** Bytes of those buffers. */
  bytes: number;
  /** Released buffers kept for reuse (a pool), if the backend pools. */
  pooledBuffers: number;
  /** Bytes held by the pool. */
  pooledBytes: number;
}

/** A program compiled for one backend. */
export interface CompiledGraph {
  /** The backend it was compiled for. */
  readonly backend: string;
  /** The backend-independent program (nodes, inputs, liveness, hash). */
  readonly program: Program;
  /**
   * Program inputs this backend bound at compile time (`CompileGraphOptions.constants` it honoured): `run` supplies
   * them itself and they must not be fed. Undefined when the backend bound nothing (then every input is fed).
   */
  readonly constants?: Readonly<Record<string, DeviceBuffer>>;
}

/** Options of `ComputeBackend.compile`. */
export interface CompileGraphOptions {
  /**
   * Inputs whose values are fixed for the graph's lifetime (a model's weights), by input name. A backend may bind
   * them at compile time (the ONNX backend embeds them as initializers) and then lists them in
   * `CompiledGraph.constants`; a backend may also ignore them, and callers then feed them as usual. Names that are
   * not inputs of the program are ignored. The buffers must stay alive and unchanged while the graph is used.
   */
  constants?: Readonly<Record<string, DeviceBuffer>>;
}

/** Feeds of one run: one buffer per program input, by input name. */
export type Feeds = Readonly<Record<string, DeviceBuffer>>;

/**
 * The allocator half of a backend (tinygrad's Allocator): buffers in its own memory, host transfers and live
 * counters. Backends keep their handle table in a `BufferTable` (buffer-table.ts).
 */
export interface BufferAllocator {
  /** A new zero-filled buffer. */
  allocate(shape: Shape, dtype: DType): DeviceBuffer;
  /** Copies host data (length = buffer size) into the buffer. */
  upload(buffer: DeviceBuffer, data: HostData): void;
  /**
   * Optional: a buffer that takes `data` over without copying it (a host-memory backend; the caller must not use
   * `data` afterwards). Loading large weights uses it to keep one copy; callers fall back to allocate + upload.
   */
  adopt?(shape: Shape, dtype: DType, data: Float32Array | Int32Array): DeviceBuffer;
  /**
   * Optional: an f32 `[q.k, q.n]` weight buffer held block-quantized (`q` is the `[n, k]` matrix, see quantize.ts).
   * Read-only; compiled graphs may use it, bound as a constant, only as the right operand of a 2-D matmul.
   * Backends without it cannot run quantized weights.
   */
  adoptQuantized?(q: QuantizedMatrix): DeviceBuffer;
  /**
   * Optional: an f32 `[rows, cols]` buffer that takes over `data` holding its values transposed (row-major
   * `[cols, rows]`: a checkpoint's `[out, in]` Linear weight for an `[in, out]` parameter), without transposing or
   * copying it. Read-only (upload refuses); download gives the `[rows, cols]` values. Bound as a constant it is read
   * in place (the ONNX backend lowers matmuls on it to `Gemm(transB=1)`). Callers transpose at load without it.
   */
  adoptTransposed?(shape: Shape, data: Float32Array): DeviceBuffer;
  /**
   * Optional: copies host data into elements [offset, offset + data.length) of the buffer, leaving the rest as
   * it is (e.g. appending a row to a KV cache without copying the cache). Callers fall back to programs without it.
   */
  uploadRange?(buffer: DeviceBuffer, offset: number, data: HostData): void;
  /** Copies the buffer's data to the host (f32 as Float32Array, or Float64Array on an f64 backend). */
  download(buffer: DeviceBuffer): Promise<HostArray>;
  /** Releases the buffer; using it afterwards is an error. */
  free(buffer: DeviceBuffer): void;
  /** Live buffer counters. */
  memory(): MemoryCounters;
}

/** The runtime half of a backend: programs compiled once for its kernels and run many times on its buffers. */
export interface GraphRuntime {
  /** Compiles the graph computing `outputs` (expanding composites it has no fused kernel for). */
  compile(outputs: readonly Tensor[], options?: CompileGraphOptions): CompiledGraph;
  /**
   * Runs a compiled graph. Every program input must be fed (matching shape and dtype); returns one new buffer
   * per output, owned by the caller (free them). Intermediates are released as soon as they are dead.
   */
  run(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]>;
}

/** A compute backend. Implementations: backends/cpu (reference), backends/onnx, backends/webgpu. */
export interface ComputeBackend extends BufferAllocator, GraphRuntime {
  /** Registry name (`cpu`, `onnx`, `webgpu`). */
  readonly name: string;
  /** Prepares the backend; throws an Error whose message says why it cannot run here. Call once before use. */
  init(): Promise<void>;
  /** What this backend supports (valid after `init`). */
  capabilities(): BackendCapabilities;
  /**
   * Optional: what it runs on, in a few words, after `init` (the WebGPU adapter, the ONNX provider and threads); the
   * backend chain printed by commands and recorded in manifests and reports shows it in brackets.
   */
  describe?(): string;
  /** Frees everything; the backend is unusable afterwards. */
  dispose(): void;
}

/**
 * Checks feeds against a program's inputs; the error lists what is missing, unknown or mismatched. Inputs in
 * `bound` (bound at compile time) must not be fed.
 */
export function checkFeeds(program: Program, feeds: Feeds, backend: string, bound?: Readonly<Record<string, unknown>>): void {
  const problems: string[] = [];
  const names = new Set(program.inputs.map((i) => i.name));
  for (const inp of program.inputs) {
    if (bound && inp.name in bound) {
      if (feeds[inp.name] !== undefined) problems.push(`'${inp.name}' is bound as a constant at compile time and must not be fed`);
      continue;
    }
    const b = feeds[inp.name];
    if (!b) { problems.push(`missing '${inp.name}' (${inp.dtype} [${inp.shape.join(',')}])`); continue; }
    if (b.backend !== backend) problems.push(`'${inp.name}' is a ${b.backend} buffer, not ${backend}`);
    if (b.dtype !== inp.dtype || b.shape.length !== inp.shape.length || b.shape.some((d, i) => d !== inp.shape[i])) {
      problems.push(`'${inp.name}' expects ${inp.dtype} [${inp.shape.join(',')}], got ${b.dtype} [${b.shape.join(',')}]`);
    }
  }
  for (const k of Object.keys(feeds)) if (!names.has(k)) problems.push(`unknown feed '${k}'`);
  if (problems.length > 0) {
    throw new Error(`${backend}.run: bad feeds: ${problems.join('; ')} (inputs: ${[...names].join(', ') || 'none'})`);
  }
}
