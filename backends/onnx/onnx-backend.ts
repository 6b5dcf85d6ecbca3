// The ONNX Runtime backend: compiles a whole tensor graph (forward, or forward + backward + optimizer update) to
// one ONNX model (compile-time constants as initializers), caches one session per program hash and constant
// content, and runs it on onnxruntime-node's CPU, WebGPU or CUDA execution provider (small graphs on one thread).
// Buffers live on the host as typed arrays wrapped in ort.Tensor objects (a BufferTable); which sessions embed which
// buffers is EmbeddedConstants', lowered models are kept in a LoweredCache.
import type * as Ort from 'onnxruntime-node';
import type {
  CompiledGraph, CompileGraphOptions, ComputeBackend, DeviceBuffer, Feeds, MemoryCounters,
} from '../../core/tensor/backend.js';
import { checkFeeds } from '../../core/tensor/backend.js';
import type { DType, HostArray, HostData } from '../../core/tensor/dtype.js';
import { BufferTable, checkUploadLength, checkUploadRange, writeHost } from '../../core/tensor/buffer-table.js';
import { hashBytes, hashString } from '../../core/tensor/hash.js';
import { dequantizeMatrix, quantizedBytes, type QuantizedMatrix } from '../../core/tensor/quantize.js';
import type { Program, ProgramInput } from '../../core/tensor/program.js';
import { sameShape, sizeOf, type Shape } from '../../core/tensor/shape.js';
import { transposeInto } from '../../core/tensor/transpose.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { compileWithFusions } from './fusion-check.js';
import { estimateFlops, type OnnxBackendOptions, type OnnxCapabilities } from './onnx-options.js';
import { lowerProgram, type LoweredProgram } from './lower-program.js';
import { alwaysFusedCompositeNames, fusedCompositeNames, inferenceCompositeNames } from './onnx-lowerings.js';
import { createRunner, type OrtRunner } from './ort-session.js';
import { ONNX_PROVIDERS, loadOrt, probeProvider, sessionOptions, type OnnxProvider, type OrtModule } from './providers.js';
import { describeRunError } from './run-error.js';
import { SessionCache, type SessionLease } from './session-cache.js';
import { EmbeddedConstants } from './embedded-constants.js';
import { LoweredCache } from './lowered-cache.js';

export { estimateFlops, type OnnxBackendOptions, type OnnxCapabilities } from './onnx-options.js';

/** A program compiled for the ONNX backend: the program plus its lowered model. */
export interface OnnxCompiledGraph extends CompiledGraph {
  /** The ONNX model and name mappings. */
  readonly lowered: LoweredProgram;
  /** Session cache key: the program hash, plus the embedded constants' content hash. */
  readonly key: string;
  /** Composites lowered fused in this graph (forward-only ones only where the graph lacks their decomposition). */
  readonly fusedOps: readonly string[];
  /** Intra-op threads its session uses. */
  readonly threads: number;
}

/** A program input a run must supply: fed by the caller, or bound at compile time but not embedded. */
interface FeedSlot { inp: ProgramInput; graphName: string | undefined; bound: DeviceBuffer | undefined }
/** A buffer's host data; `transposed`: data holds the buffer's 2-D values transposed (see adoptTransposed). */
interface Stored { data: Float32Array | Int32Array; tensor?: Ort.Tensor; hash?: string; quant?: QuantizedMatrix; transposed?: true; storedTensor?: Ort.Tensor }
/** Compile-time constants of one graph: all bound, by input name; which are embedded, quantized, stored transposed. */
interface BoundConstants {
  constants: Record<string, DeviceBuffer>;
  embedded: Map<string, Float32Array | Int32Array>;
  quantized: Map<string, QuantizedMatrix>;
  transposed: Set<string>;
}

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
  private readonly smallGraphFlops: number;
  private readonly directBinding: boolean;
  private readonly maxConstantBytes: number;
  private readonly contrib: boolean;
  private readonly quantAccuracy: 0 | 4;
  private ort?: OrtModule;
  private readonly buffers = new BufferTable<Stored>('onnx');
  private liveBytes = 0;
  private readonly sessions: SessionCache<OrtRunner>;
  // Sessions of programs with quantized weights: each holds its own prepacked copy of them, so fewer are kept.
  private readonly quantSessions: SessionCache<OrtRunner>;
  private readonly loweredModels = new LoweredCache();
  private readonly plans = new WeakMap<OnnxCompiledGraph, FeedSlot[]>();
  // Lowered models that embed quantized weights -> how to lower them again (their bytes are dropped, see dropBytes).
  private readonly relowers = new WeakMap<LoweredProgram, () => Uint8Array>();
  private readonly embeddedConstants = new EmbeddedConstants();
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
    this.smallGraphFlops = options.smallGraphFlops ?? 2e7;
    this.directBinding = options.directBinding ?? true;
    this.contrib = options.contribOps ?? this.provider === 'cpu';
    this.maxConstantBytes = options.maxConstantBytes ?? 64 * 1024 * 1024;
    this.quantAccuracy = options.quantAccuracy ?? 4;
    const maxQuantSessions = options.maxQuantizedSessions ?? 4;
    if (!Number.isInteger(maxQuantSessions) || maxQuantSessions < 1) throw new Error(`onnx: maxQuantizedSessions must be a positive integer (got ${maxQuantSessions})`);
    if (this.quantAccuracy !== 0 && this.quantAccuracy !== 4) throw new Error(`onnx: quantAccuracy must be 0 or 4 (got ${String(this.quantAccuracy)})`);
    this.sessions = new SessionCache(options.maxSessions ?? 32);
    this.quantSessions = new SessionCache(maxQuantSessions);
  }

  /** Loads onnxruntime-node and runs a one-node model on the provider; throws saying what is missing. */
  async init(): Promise<void> {
    this.check();
    if (this.ort) return;
    const ort = await loadOrt();
    await probeProvider(ort, this.provider, this.threads);
    this.ort = ort;
  }

  /** Provider and threads, e.g. `cpu provider, 1 thread`. */
  describe(): string { return `${this.provider} provider, ${this.threads} thread${this.threads === 1 ? '' : 's'}`; }

  /** f32/i32, no f64, the fused composites, and the provider. */
  capabilities(): OnnxCapabilities {
    return { dtypes: ['f32', 'i32'], f64: false, fusedKernels: this.fused ? fusedCompositeNames() : [], provider: this.provider };
  }

  /** Number of cached sessions (for tests and diagnostics). */
  get sessionCount(): number { return this.sessions.size + this.quantSessions.size; }

  allocate(shape: Shape, dtype: DType): DeviceBuffer {
    this.check();
    const n = sizeOf(shape);
    return this.wrap(dtype === 'i32' ? new Int32Array(n) : new Float32Array(n), shape, dtype);
  }

  /** Wraps `data` as a buffer without a copy (weights read from a checkpoint keep one copy in memory). */
  adopt(shape: Shape, dtype: DType, data: Float32Array | Int32Array): DeviceBuffer {
    this.check();
    if ((dtype === 'i32') !== (data instanceof Int32Array) || data.length !== sizeOf(shape)) {
      throw new Error(`onnx.adopt: ${data.constructor.name} of ${data.length} elements cannot be a ${dtype} [${shape.join(',')}] buffer`);
    }
    return this.wrap(data, shape, dtype);
  }

  /** A read-only `[q.k, q.n]` weight held as MatMulNBits codes and scales (usable as a matmul's right operand). */
  adoptQuantized(q: QuantizedMatrix): DeviceBuffer {
    this.check();
    if (this.provider !== 'cpu' || !this.contrib) throw new Error(`onnx: quantized weights need the cpu provider with contrib ops (MatMulNBits); this backend runs ${this.describe()}${this.contrib ? '' : ' without contrib ops'}`);
    this.liveBytes += quantizedBytes(q);
    return this.buffers.add({ data: new Float32Array(0), quant: q }, [q.k, q.n], 'f32', q.k * q.n);
  }

  /** A read-only f32 `[rows, cols]` weight over `data` stored `[cols, rows]`; matmuls on it read it in place. */
  adoptTransposed(shape: Shape, data: Float32Array): DeviceBuffer {
    this.check();
    if (shape.length !== 2 || !(data instanceof Float32Array) || data.length !== sizeOf(shape)) {
      throw new Error(`onnx.adoptTransposed: ${data?.constructor?.name} of ${data?.length} elements cannot be an f32 [${shape.join(',')}] buffer stored transposed`);
    }
    const b = this.wrap(data, shape, 'f32');
    this.buffers.get(b).transposed = true;
    return b;
  }

  upload(buffer: DeviceBuffer, data: HostData): void {
    const s = this.writable(buffer, 'upload');
    checkUploadLength('onnx.upload', buffer, s.data.length, data.length);
    writeHost(s.data, data);
    s.hash = undefined;
  }

  /** Copies host data into elements [offset, offset + data.length) of the buffer (no copy of the rest). */
  uploadRange(buffer: DeviceBuffer, offset: number, data: HostData): void {
    const s = this.writable(buffer, 'uploadRange');
    checkUploadRange('onnx.uploadRange', buffer, s.data.length, offset, data.length);
    writeHost(s.data, data, offset);
    s.hash = undefined;
  }

  // A copy (the typed-array constructor copies MB-sized arrays ~1.7x faster than TypedArray#slice on Node 20).
  async download(buffer: DeviceBuffer): Promise<HostArray> {
    const s = this.stored(buffer);
    if (s.quant) return dequantizeMatrix(s.quant, true); // the [k, n] values it stands for
    const d = s.data;
    if (s.transposed) return transposeInto(d as Float32Array, buffer.shape[1]!, buffer.shape[0]!, new Float32Array(d.length));
    return d instanceof Int32Array ? new Int32Array(d) : new Float32Array(d);
  }

  /** Frees a buffer; sessions and lowered models embedding it as a constant go once no live buffer holds them. */
  free(buffer: DeviceBuffer): void {
    this.check();
    const s = this.buffers.take(buffer);
    this.liveBytes -= s.quant ? quantizedBytes(s.quant) : s.data.byteLength;
    for (const key of this.embeddedConstants.release(buffer.id)) {
      this.sessions.remove(key);
      this.quantSessions.remove(key);
      this.loweredModels.delete(key);
    }
  }

  /**
   * Compiles `outputs`: softmax/log_softmax always fused, rms_norm/silu/rope/kv_cache_update/causal_attention
   * fused unless the graph also computes their decomposition (training graphs), everything else expanded; then
   * lowered to ONNX. `constants` that are program inputs become initializers (up to `maxConstantBytes`).
   */
  compile(outputs: readonly Tensor[], options: CompileGraphOptions = {}): OnnxCompiledGraph {
    this.check();
    const { program, fused, fusedOps } = this.fused ? compileWithFusions(outputs, alwaysFusedCompositeNames(), inferenceCompositeNames())
      : compileWithFusions(outputs, [], []);
    const bound = this.bindConstants(program, options.constants ?? {});
    const key = this.sessionKey(program.hash, bound);
    for (const name of [...bound.embedded.keys(), ...bound.quantized.keys()]) this.embeddedConstants.hold(key, bound.constants[name]!.id);
    const { constants, embedded, quantized, transposed } = bound;
    const lower = (): LoweredProgram => lowerProgram(program, `gramr_${program.hash}`, { fused, constants: embedded, contrib: this.contrib, quantized, quantAccuracy: this.quantAccuracy, transposed });
    let lowered = this.loweredModels.get(key);
    if (!lowered) {
      lowered = lower();
      this.loweredModels.set(key, lowered);
    }
    if (quantized.size > 0 && !this.relowers.has(lowered)) this.relowers.set(lowered, () => lower().bytes);
    const threads = this.smallGraphFlops > 0 && estimateFlops(program) < this.smallGraphFlops ? 1 : this.threads;
    return {
      backend: this.name, program, lowered, key, fusedOps, threads,
      ...(Object.keys(constants).length > 0 ? { constants } : {}),
    };
  }

  // Compile-time constants that are program inputs: all bound; embedded as initializers up to maxConstantBytes in
  // total (beyond it run feeds them), quantized weights always (MatMulNBits is fast on constants only).
  private bindConstants(program: Program, given: Readonly<Record<string, DeviceBuffer>>): BoundConstants {
    const bound: BoundConstants = { constants: {}, embedded: new Map(), quantized: new Map(), transposed: new Set() };
    let bytes = 0;
    for (const inp of program.inputs) {
      const buf = given[inp.name];
      if (buf === undefined) continue;
      const s = this.stored(buf);
      if (buf.dtype !== inp.dtype || !sameShape(buf.shape, inp.shape)) {
        throw new Error(`onnx.compile: constant '${inp.name}' is ${buf.dtype} [${buf.shape.join(',')}] but the graph's input is ${inp.dtype} [${inp.shape.join(',')}]`);
      }
      bound.constants[inp.name] = buf;
      if (s.quant) { bound.quantized.set(inp.name, s.quant); continue; }
      if (s.transposed) bound.transposed.add(inp.name);
      bound.embedded.set(inp.name, s.data);
      bytes += s.data.byteLength;
    }
    if (bytes > this.maxConstantBytes) bound.embedded.clear();
    return bound;
  }

  // The session key: the program hash, the embedded constants' content hash, the quantized weights' buffer ids and
  // the inputs stored transposed.
  private sessionKey(programHash: string, { constants, embedded, quantized, transposed }: BoundConstants): string {
    const constKey = embedded.size === 0 ? '' : ':' + hashString([...embedded.keys()].map((n) => `${n}=${this.contentHash(constants[n]!)}`).join('|'));
    const quantKey = quantized.size === 0 ? '' : ':q' + hashString([...quantized.keys()].map((n) => `${n}=#${constants[n]!.id}`).join('|'));
    const transKey = transposed.size === 0 ? '' : ':t' + hashString([...transposed].join('|'));
    return programHash + constKey + quantKey + transKey;
  }

  async run(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]> {
    this.check();
    if (graph.backend !== this.name || !('lowered' in graph)) throw new Error(`onnx.run: graph was compiled for '${graph.backend}', not by this onnx backend`);
    const g = graph as OnnxCompiledGraph;
    const { program, lowered } = g;
    const ortFeeds = this.ortFeeds(g, feeds);
    const cache = this.relowers.has(lowered) ? this.quantSessions : this.sessions;
    const lease = cache.acquireReady(g.key) ?? await this.session(g, cache);
    let result: Record<string, Ort.Tensor>;
    try {
      result = lease.session.runSync ? lease.session.runSync(ortFeeds) : await lease.session.run(ortFeeds);
    } catch (e) {
      throw new Error(describeRunError(e, program, lowered, this.provider));
    } finally {
      lease.done();
    }
    const outs: DeviceBuffer[] = new Array(program.outputs.length);
    for (let k = 0; k < outs.length; k++) {
      const node = program.nodes[program.outputs[k]!]!;
      const t = result[lowered.outputNames[k]!]!;
      outs[k] = this.wrap(t.data as Float32Array | Int32Array, node.shape, node.dtype, t);
    }
    return outs;
  }

  // The ORT feeds of a run; checks every feed on the way (checkFeeds words the error when one is wrong).
  private ortFeeds(g: OnnxCompiledGraph, feeds: Feeds): Record<string, Ort.Tensor> {
    let plan = this.plans.get(g);
    if (!plan) {
      const bound = g.constants ?? {};
      plan = [];
      g.program.inputs.forEach((inp, k) => {
        const graphName = g.lowered.inputNames[k];
        if (graphName !== undefined || bound[inp.name] === undefined) plan!.push({ inp, graphName, bound: bound[inp.name] });
      });
      this.plans.set(g, plan);
    }
    const out: Record<string, Ort.Tensor> = {};
    let fed = 0, ok = true;
    for (let k = 0; k < plan.length && ok; k++) {
      const { inp, graphName, bound } = plan[k]!;
      const b = bound ?? feeds[inp.name];
      if (!bound) fed++;
      if (!b || b.backend !== this.name || b.dtype !== inp.dtype || !sameShape(b.shape, inp.shape)) ok = false;
      else if (graphName !== undefined) out[graphName] = this.tensorOf(b, bound !== undefined);
    }
    if (ok) {
      let given = 0;
      for (const name in feeds) if (feeds[name] !== undefined) given++;
      if (given === fed) return out; // every unbound input was found, so nothing else (no bound name) was fed
    }
    checkFeeds(g.program, feeds, this.name, g.constants);
    throw new Error(`onnx.run: bad feeds for graph ${g.lowered.model.graphName}`);
  }

  memory(): MemoryCounters {
    return { buffers: this.buffers.size, bytes: this.liveBytes, pooledBuffers: 0, pooledBytes: 0 };
  }

  dispose(): void {
    this.sessions.clear();
    this.quantSessions.clear();
    this.loweredModels.clear();
    this.embeddedConstants.clear();
    this.buffers.clear();
    this.liveBytes = 0;
    this.disposed = true;
  }

  // Content hash of a buffer's data (cached until the next upload).
  private contentHash(buffer: DeviceBuffer): string {
    const s = this.stored(buffer);
    s.hash ??= hashBytes(s.data);
    return s.hash;
  }

  // The session of a graph in `cache`, leased for one run (created on first use).
  private session(graph: OnnxCompiledGraph, cache: SessionCache<OrtRunner>): Promise<SessionLease<OrtRunner>> {
    const ort = this.ort;
    if (!ort) throw new Error('onnx: call init() before run()');
    const options = sessionOptions(this.provider, graph.threads, this.spinning);
    const direct = this.directBinding && this.provider === 'cpu';
    const relower = this.relowers.get(graph.lowered);
    return cache.acquire(graph.key, async () => {
      const bytes = graph.lowered.bytes.length > 0 || !relower ? graph.lowered.bytes : relower();
      const runner = await createRunner(ort, bytes, options, direct).catch((e: unknown) => {
        throw new Error(describeRunError(e, graph.program, graph.lowered, this.provider, 'creating the session for'));
      });
      if (relower) this.dropBytes(graph);
      return runner;
    });
  }

  // A model embedding quantized weights is hundreds of MB: once its session holds them, the bytes go (they are
  // lowered again should the session be evicted and needed later).
  private dropBytes(graph: OnnxCompiledGraph): void {
    this.loweredModels.delete(graph.key, graph.lowered);
    graph.lowered.bytes = new Uint8Array(0);
  }

  // The ORT tensor feeding a buffer. A weight stored transposed is fed as stored where it was bound at compile time
  // (the graph declares it so); fed as an ordinary input, it gets a transposed copy once (kept while it lives).
  private tensorOf(buffer: DeviceBuffer, bound = false): Ort.Tensor {
    const s = this.stored(buffer);
    if (s.quant) throw new Error(`onnx.run: quantized weight buffer #${buffer.id} cannot be fed; pass it to compile() in options.constants`);
    if (s.transposed && bound) {
      s.storedTensor ??= new this.ort!.Tensor('float32', s.data, [buffer.shape[1]!, buffer.shape[0]!]);
      return s.storedTensor;
    }
    const data = (): Float32Array | Int32Array => (s.transposed ? transposeInto(s.data as Float32Array, buffer.shape[1]!, buffer.shape[0]!, new Float32Array(s.data.length)) : s.data);
    s.tensor ??= new this.ort!.Tensor(buffer.dtype === 'i32' ? 'int32' : 'float32', data(), [...buffer.shape]);
    return s.tensor;
  }

  private wrap(data: Float32Array | Int32Array, shape: Shape, dtype: DType, tensor?: Ort.Tensor): DeviceBuffer {
    this.liveBytes += data.byteLength;
    return this.buffers.add({ data, tensor }, shape, dtype, data.length);
  }

  // A buffer host data may be written into (not a quantized weight, nor one stored transposed).
  private writable(buffer: DeviceBuffer, what: string): Stored {
    const s = this.stored(buffer);
    if (s.quant) throw new Error(`onnx.${what}: buffer #${buffer.id} [${buffer.shape.join(',')}] holds quantized weights and is read-only`);
    if (s.transposed) throw new Error(`onnx.${what}: buffer #${buffer.id} [${buffer.shape.join(',')}] holds a weight stored transposed (adoptTransposed) and is read-only`);
    return s;
  }

  private stored(buffer: DeviceBuffer): Stored {
    this.check();
    return this.buffers.get(buffer);
  }

  private check(): void {
    if (this.disposed) throw new Error('onnx: backend was disposed');
  }
}
