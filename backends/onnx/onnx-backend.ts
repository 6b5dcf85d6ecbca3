// The ONNX Runtime backend: compiles a whole tensor graph (forward, or forward + backward + optimizer update) to
// one ONNX model, caches one InferenceSession per program hash and runs it on onnxruntime-node's CPU, WebGPU or
// CUDA execution provider. Buffers live on the host as typed arrays wrapped in ort.Tensor objects.
import type * as Ort from 'onnxruntime-node';
import type {
  BackendCapabilities, CompiledGraph, ComputeBackend, DeviceBuffer, Feeds, MemoryCounters,
} from '../../core/tensor/backend.js';
import { checkFeeds } from '../../core/tensor/backend.js';
import type { DType, HostArray, HostData } from '../../core/tensor/dtype.js';
import { compileGraph } from '../../core/tensor/program.js';
import { sizeOf, type Shape } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { fusedCompositeNames, lowerProgram, type LoweredProgram } from './lower-program.js';
import { ONNX_PROVIDERS, loadOrt, probeProvider, sessionOptions, type OnnxProvider, type OrtModule } from './providers.js';
import { describeRunError } from './run-error.js';
import { SessionCache, type SessionLease } from './session-cache.js';

/** Options of the ONNX backend. */
export interface OnnxBackendOptions {
  /** Execution provider: 'cpu' (default), 'webgpu' (bundled) or 'cuda' (needs its libraries, see docs/onnx.md). */
  provider?: OnnxProvider;
  /** Intra-op threads of each session (default 2). */
  threads?: number;
  /** Lower softmax/log_softmax to native ONNX ops (default true); false expands every composite. */
  fused?: boolean;
  /** Most sessions kept; the least recently used is released beyond it (default 32). */
  maxSessions?: number;
  /** Let idle intra-op workers spin between ops (default true, onnxruntime's default); false suits a busy machine. */
  spinning?: boolean;
}

/** Capabilities plus the execution provider that runs the sessions. */
export interface OnnxCapabilities extends BackendCapabilities {
  /** The execution provider sessions run on. */
  provider: OnnxProvider;
}

/** A program compiled for the ONNX backend: the program plus its lowered model. */
export interface OnnxCompiledGraph extends CompiledGraph {
  /** The ONNX model and name mappings. */
  readonly lowered: LoweredProgram;
}

interface OnnxBuffer extends DeviceBuffer { readonly size: number }
interface Stored { data: Float32Array | Int32Array; tensor?: Ort.Tensor }

let nextBufferId = 1;

/** The onnxruntime-node backend. */
export class OnnxBackend implements ComputeBackend {
  /** Registry name. */
  readonly name = 'onnx';
  /** Execution provider. */
  readonly provider: OnnxProvider;
  /** Intra-op threads per session. */
  readonly threads: number;
  private readonly fused: boolean;
  private readonly spinning: boolean;
  private ort?: OrtModule;
  private readonly buffers = new Map<number, Stored>();
  private liveBytes = 0;
  private readonly sessions: SessionCache;
  private readonly lowered = new Map<string, LoweredProgram>();
  private disposed = false;

  constructor(options: OnnxBackendOptions = {}) {
    this.provider = options.provider ?? 'cpu';
    if (!(ONNX_PROVIDERS as readonly string[]).includes(this.provider)) {
      throw new Error(`onnx: unknown execution provider '${String(this.provider)}' (valid: ${ONNX_PROVIDERS.join(', ')})`);
    }
    this.threads = options.threads ?? 2;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new Error(`onnx: threads must be a positive integer (got ${this.threads})`);
    this.fused = options.fused ?? true;
    this.spinning = options.spinning ?? true;
    this.sessions = new SessionCache(options.maxSessions ?? 32);
  }

  /** Loads onnxruntime-node and runs a one-node model on the provider; throws saying what is missing. */
  async init(): Promise<void> {
    this.check();
    if (this.ort) return;
    const ort = await loadOrt();
    await probeProvider(ort, this.provider, this.threads);
    this.ort = ort;
  }

  /** f32/i32, no f64, the fused composites, and the provider. */
  capabilities(): OnnxCapabilities {
    return { dtypes: ['f32', 'i32'], f64: false, fusedKernels: this.fused ? fusedCompositeNames() : [], provider: this.provider };
  }

  /** Number of cached sessions (for tests and diagnostics). */
  get sessionCount(): number { return this.sessions.size; }

  allocate(shape: Shape, dtype: DType): DeviceBuffer {
    this.check();
    const n = sizeOf(shape);
    return this.wrap(dtype === 'i32' ? new Int32Array(n) : new Float32Array(n), shape, dtype);
  }

  upload(buffer: DeviceBuffer, data: HostData): void {
    const s = this.stored(buffer);
    if (data.length !== s.data.length) {
      throw new Error(`onnx.upload: buffer #${buffer.id} ${buffer.dtype} [${buffer.shape.join(',')}] holds ${s.data.length} elements, got ${data.length}`);
    }
    if (Array.isArray(data)) for (let i = 0; i < data.length; i++) s.data[i] = data[i]!;
    else s.data.set(data as HostArray);
  }

  // A copy (the typed-array constructor copies MB-sized arrays ~1.7x faster than TypedArray#slice on Node 20).
  async download(buffer: DeviceBuffer): Promise<HostArray> {
    const d = this.stored(buffer).data;
    return d instanceof Int32Array ? new Int32Array(d) : new Float32Array(d);
  }

  free(buffer: DeviceBuffer): void {
    const s = this.stored(buffer);
    this.buffers.delete(buffer.id);
    this.liveBytes -= s.data.byteLength;
  }

  compile(outputs: readonly Tensor[]): OnnxCompiledGraph {
    this.check();
    const fusedSet = new Set(this.fused ? fusedCompositeNames() : []);
    const fused = (op: string): boolean => fusedSet.has(op);
    const program = compileGraph(outputs, { fused });
    let lowered = this.lowered.get(program.hash);
    if (!lowered) {
      lowered = lowerProgram(program, `gramr_${program.hash}`, fused);
      this.lowered.set(program.hash, lowered);
      if (this.lowered.size > 256) this.lowered.delete(this.lowered.keys().next().value!);
    }
    return { backend: this.name, program, lowered };
  }

  async run(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]> {
    this.check();
    if (graph.backend !== this.name || !('lowered' in graph)) throw new Error(`onnx.run: graph was compiled for '${graph.backend}', not by this onnx backend`);
    const { program, lowered } = graph as OnnxCompiledGraph;
    checkFeeds(program, feeds, this.name);
    const lease = await this.session(graph as OnnxCompiledGraph);
    const ortFeeds: Record<string, Ort.Tensor> = {};
    program.inputs.forEach((inp, k) => { ortFeeds[lowered.inputNames[k]!] = this.tensorOf(feeds[inp.name]!); });
    let result: Ort.InferenceSession.OnnxValueMapType;
    try {
      result = await lease.session.run(ortFeeds);
    } catch (e) {
      throw new Error(describeRunError(e, program, lowered, this.provider));
    } finally {
      lease.done();
    }
    return program.outputs.map((o, k) => {
      const node = program.nodes[o]!;
      const t = result[lowered.outputNames[k]!] as Ort.Tensor;
      const data = t.data as Float32Array | Int32Array;
      const buf = this.wrap(data, node.shape, node.dtype);
      this.buffers.get(buf.id)!.tensor = t;
      return buf;
    });
  }

  memory(): MemoryCounters {
    return { buffers: this.buffers.size, bytes: this.liveBytes, pooledBuffers: 0, pooledBytes: 0 };
  }

  dispose(): void {
    this.sessions.clear();
    this.lowered.clear();
    this.buffers.clear();
    this.liveBytes = 0;
    this.disposed = true;
  }

  // The cached session of a graph, leased for one run (created on first use).
  private session(graph: OnnxCompiledGraph): Promise<SessionLease> {
    const ort = this.ort;
    if (!ort) throw new Error('onnx: call init() before run()');
    const options = sessionOptions(this.provider, this.threads, this.spinning);
    return this.sessions.acquire(graph.program.hash, () => ort.InferenceSession.create(graph.lowered.bytes, options).catch((e: unknown) => {
      throw new Error(describeRunError(e, graph.program, graph.lowered, this.provider, 'creating the session for'));
    }));
  }

  private tensorOf(buffer: DeviceBuffer): Ort.Tensor {
    const s = this.stored(buffer);
    s.tensor ??= new this.ort!.Tensor(buffer.dtype === 'i32' ? 'int32' : 'float32', s.data, [...buffer.shape]);
    return s.tensor;
  }

  private wrap(data: Float32Array | Int32Array, shape: Shape, dtype: DType): OnnxBuffer {
    const id = nextBufferId++;
    this.buffers.set(id, { data });
    this.liveBytes += data.byteLength;
    return { id, backend: this.name, shape: [...shape], dtype, size: data.length };
  }

  private stored(buffer: DeviceBuffer): Stored {
    this.check();
    const s = this.buffers.get(buffer.id);
    if (!s || buffer.backend !== this.name) {
      throw new Error(`onnx: buffer #${buffer.id} ${buffer.dtype} [${buffer.shape.join(',')}] was freed or belongs to another backend`);
    }
    return s;
  }

  private check(): void {
    if (this.disposed) throw new Error('onnx: backend was disposed');
  }
}
