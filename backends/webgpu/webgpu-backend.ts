// The WebGPU backend: runs compiled programs as WGSL compute shaders through Dawn (npm `webgpu`). Each run records
// every node's dispatches (kernels in kernels/, shapes baked into their source), compiles the sources it has not
// seen (pipeline-cache.ts), encodes one command buffer and submits it; intermediates go back to a buffer pool after
// their last use. Works on a real GPU or on Mesa's llvmpipe through OpenGL (device.ts).
import type {
  BackendCapabilities, CompiledGraph, ComputeBackend, DeviceBuffer, Feeds, MemoryCounters,
} from '../../core/tensor/backend.js';
import { checkFeeds } from '../../core/tensor/backend.js';
import type { DType, HostArray, HostData } from '../../core/tensor/dtype.js';
import { BufferTable, checkUploadLength, checkUploadRange } from '../../core/tensor/buffer-table.js';
import type { KernelSet } from '../../core/tensor/kernel-registry.js';
import { executeProgram } from '../../core/tensor/execute-program.js';
import { sizeOf, type Shape } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { acquireDevice, AUTO_PATHS, NAMED_PATHS, type AcquiredDevice } from './device.js';
import { GpuBufferPool, type GpuTensor } from './gpu-buffer-pool.js';
import type { Dispatch, KernelContext, WebGpuKernel } from './kernels/kernel.js';
import { PipelineCache } from './pipeline-cache.js';
import { webgpuKernels } from './webgpu-kernels.js';

/** Options of the WebGPU backend. */
export interface WebGpuBackendOptions {
  /** Which adapter path: 'auto' (default: a real GPU, then OpenGL/GLES on llvmpipe) or one name of device.ts. */
  adapter?: string;
  /** Use the fused composite kernels (default true); false expands every composite into primitives. */
  fused?: boolean;
}

type Command =
  | { kind: 'dispatch'; d: Dispatch }
  | { kind: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; bytes: number }
  | { kind: 'clear'; buffer: GPUBuffer; bytes: number };

/** The WebGPU backend (see the file header). */
export class WebGpuBackend implements ComputeBackend {
  /** Registry name. */
  readonly name = 'webgpu';
  /** Kernels by `webgpu/<op>`. */
  readonly kernels: KernelSet<WebGpuKernel>;
  private readonly options: WebGpuBackendOptions;
  private acquired?: AcquiredDevice;
  private pool?: GpuBufferPool;
  private cache?: PipelineCache;
  private readonly tensors = new BufferTable<GpuTensor>('webgpu');
  private readonly constants = new WeakMap<Tensor, GpuTensor>();
  private statusBuffer?: GpuTensor;
  private maxBufferBytes?: number;
  private lost?: string;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: WebGpuBackendOptions = {}) {
    this.options = options;
    const adapter = options.adapter ?? 'auto';
    if (adapter !== 'auto' && !NAMED_PATHS[adapter]) {
      throw new Error(`webgpu: adapter '${adapter}' (valid: auto, ${Object.keys(NAMED_PATHS).join(', ')})`);
    }
    this.kernels = webgpuKernels(options.fused ?? true);
  }

  /** Acquires the device; throws listing each adapter path tried and why it failed. */
  async init(): Promise<void> {
    if (this.acquired) return;
    const adapter = this.options.adapter ?? 'auto';
    const paths = adapter === 'auto' ? AUTO_PATHS : [NAMED_PATHS[adapter]!];
    this.acquired = await acquireDevice(paths, (reason) => { this.lost = reason; });
    const limits = this.acquired.device.limits;
    this.maxBufferBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    this.pool = new GpuBufferPool(this.acquired.device, this.maxBufferBytes);
    this.cache = new PipelineCache(this.acquired.device);
  }

  /** The adapter in use (one line), after `init`. */
  get adapter(): string { return this.device().adapter; }
  /** True on a software adapter (llvmpipe / lavapipe). */
  get software(): boolean { return this.device().software; }
  /** Adapter paths that failed before the one in use. */
  get adapterFailures(): string[] { return this.device().failures; }
  /** Compiled pipelines so far. */
  get pipelineCount(): number { return this.cache?.size ?? 0; }

  capabilities(): BackendCapabilities {
    const fused = this.kernels.fusedOps();
    return { dtypes: ['f32', 'i32'], f64: false, fusedKernels: fused, maxBufferBytes: this.maxBufferBytes };
  }

  /** The adapter, marked when it is a software rasterizer. */
  describe(): string { return `${this.adapter}${this.software ? ', software' : ''}`; }

  /** Adds a kernel under `webgpu/<op>`; duplicates are rejected. */
  registerKernel(op: string, kernel: WebGpuKernel): void { this.kernels.register(op, kernel); }

  allocate(shape: Shape, dtype: DType): DeviceBuffer {
    const t = this.pools().alloc(sizeOf(shape), dtype);
    this.device().device.queue.writeBuffer(t.buffer, 0, new Uint8Array(t.buffer.size));
    return this.wrap(t, shape, dtype);
  }

  upload(buffer: DeviceBuffer, data: HostData): void {
    const t = this.tensorOf(buffer);
    checkUploadLength('webgpu.upload', buffer, t.size, data.length);
    this.write(t, 0, data);
  }

  uploadRange(buffer: DeviceBuffer, offset: number, data: HostData): void {
    const t = this.tensorOf(buffer);
    checkUploadRange('webgpu.uploadRange', buffer, t.size, offset, data.length);
    this.write(t, offset, data);
  }

  async download(buffer: DeviceBuffer): Promise<HostArray> {
    const t = this.tensorOf(buffer);
    return this.serial(() => this.read(t));
  }

  free(buffer: DeviceBuffer): void {
    this.check();
    this.pools().release(this.tensors.take(buffer));
  }

  compile(outputs: readonly Tensor[]): CompiledGraph {
    this.check();
    return { backend: this.name, program: this.kernels.compile(outputs) };
  }

  async run(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]> {
    this.check();
    if (graph.backend !== this.name) throw new Error(`webgpu.run: graph was compiled for '${graph.backend}'`);
    checkFeeds(graph.program, feeds, this.name);
    // Runs are serialized: a run's released intermediates are reused only after it is submitted.
    return await this.serial(() => this.runNow(graph, feeds));
  }

  memory(): MemoryCounters {
    const p = this.pool;
    return { buffers: p?.liveBuffers ?? 0, bytes: p?.liveBytes ?? 0, pooledBuffers: p?.pooledBuffers ?? 0, pooledBytes: p?.pooledBytes ?? 0 };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.tensors.values()) t.buffer.destroy();
    this.tensors.clear();
    this.pool?.clear();
    this.statusBuffer?.buffer.destroy();
    this.acquired?.device.destroy();
  }

  private async runNow(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]> {
    const { program } = graph;
    const { nodes } = program;
    const pool = this.pools();
    const commands: Command[] = [];
    const failures: Array<(position: number) => string> = [];
    let scratch: GpuTensor[] = [];
    const ctx: KernelContext = {
      alloc: (n, d) => { const t = pool.alloc(n, d); scratch.push(t); return t; },
      zeros: (n, d) => { const t = pool.alloc(n, d); scratch.push(t); commands.push({ kind: 'clear', buffer: t.buffer, bytes: t.buffer.size }); return t; },
      release: (t) => {
        const i = scratch.indexOf(t);
        if (i < 0) throw new Error('webgpu: a kernel released a buffer it did not allocate');
        scratch.splice(i, 1);
        pool.release(t);
      },
      dispatch: (d) => { commands.push({ kind: 'dispatch', d }); },
      copy: (src, so, dst, dof, count) => {
        if (count > 0) commands.push({ kind: 'copy', src: src.buffer, srcOffset: so * 4, dst: dst.buffer, dstOffset: dof * 4, bytes: count * 4 });
      },
      failure: (message) => { failures.push(message); return failures.length; },
      status: () => this.status(),
      limits: this.device().device.limits,
    };
    // Intermediates go back to the pool while recording: dispatches execute in recording order, and runs are serialized.
    const outputs = executeProgram<GpuTensor>(program, {
      feed: (name) => this.tensorOf(feeds[name]!),
      constant: (node) => this.constantTensor(node),
      kernel: (node, ins) => {
        scratch = [];
        let t: GpuTensor;
        try {
          t = this.kernels.get(node.op)!(node, ins, ctx);
        } catch (e) {
          for (const s of scratch) pool.release(s);
          throw new Error(`webgpu: op '${node.op}' (${node}, inputs ${node.inputs.map(String).join(', ')}) failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        const leaked = scratch.filter((s) => s !== t);
        if (leaked.length > 0) {
          for (const s of scratch) pool.release(s);
          throw new Error(`webgpu: kernel '${node.op}' kept ${leaked.length} scratch buffer(s) without releasing them`);
        }
        return t;
      },
      release: (t) => pool.release(t),
      copy: (t) => { const c = pool.alloc(t.size, t.dtype); ctx.copy(t, 0, c, 0, t.size); return c; },
    });
    try {
      await this.submit(commands, failures);
    } catch (e) {
      for (const t of outputs) pool.release(t);
      throw e;
    }
    return outputs.map((t, k) => this.wrap(t, nodes[program.outputs[k]!]!.shape, t.dtype));
  }

  // Compiles what is new, encodes every command into one command buffer, submits, and checks the status buffer.
  private async submit(commands: Command[], failures: Array<(position: number) => string>): Promise<void> {
    const { device } = this.device();
    const cache = this.cache!;
    const sources = new Map<string, string>();
    for (const c of commands) if (c.kind === 'dispatch' && !cache.get(c.d.code)) sources.set(c.d.code, c.d.kernel);
    await Promise.all([...sources].map(([code, kernel]) => cache.ensure(kernel, code)));
    if (this.lost) throw new Error(`webgpu: the device was lost (${this.lost})`);
    device.pushErrorScope('validation');
    const enc = device.createCommandEncoder();
    if (failures.length > 0) enc.clearBuffer(this.status().buffer);
    let pass: GPUComputePassEncoder | undefined;
    for (const c of commands) {
      if (c.kind === 'dispatch') {
        pass ??= enc.beginComputePass();
        const { pipeline, layout } = cache.get(c.d.code)!;
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, device.createBindGroup({
          layout, label: c.d.kernel, entries: c.d.bindings.map((b, i) => ({ binding: i, resource: { buffer: b.buffer } })),
        }));
        const [x, y, z] = c.d.workgroups;
        if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
        continue;
      }
      if (pass) { pass.end(); pass = undefined; }
      if (c.kind === 'copy') enc.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.bytes);
      else enc.clearBuffer(c.buffer, 0, c.bytes);
    }
    pass?.end();
    device.queue.submit([enc.finish()]);
    const err = await device.popErrorScope();
    if (err) throw new Error(`webgpu: recording the run failed validation: ${err.message}`);
    if (failures.length > 0) {
      const [code, position] = await this.readU32(this.status().buffer, 2);
      if (code !== 0) throw new Error(failures[code! - 1]!(position!));
    }
  }

  // The status buffer kernels report failures into: made once, outside the pool and its counters.
  private status(): GpuTensor {
    this.statusBuffer ??= this.pools().unpooled(2, 'i32');
    return this.statusBuffer;
  }

  private async read(t: GpuTensor): Promise<HostArray> {
    if (t.size === 0) return t.dtype === 'i32' ? new Int32Array(0) : new Float32Array(0);
    const bytes = t.size * 4;
    const raw = await this.readBytes(t.buffer, bytes);
    return t.dtype === 'i32' ? new Int32Array(raw) : new Float32Array(raw);
  }

  private async readU32(buffer: GPUBuffer, n: number): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(buffer, n * 4));
  }

  private async readBytes(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const { device } = this.device();
    const pool = this.pools();
    const staging = pool.takeStaging(bytes);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const copy = staging.getMappedRange().slice(0);
    staging.unmap();
    pool.giveStaging(staging);
    return copy;
  }

  private write(t: GpuTensor, offset: number, data: HostData): void {
    if (data.length === 0) return;
    const arr = t.dtype === 'i32'
      ? (data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>))
      : (data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
    this.device().device.queue.writeBuffer(t.buffer, offset * 4, arr.buffer, arr.byteOffset, arr.byteLength);
  }

  private constantTensor(node: Tensor): GpuTensor {
    let t = this.constants.get(node);
    if (!t) {
      t = this.pools().unpooled(node.size, node.dtype);
      this.write(t, 0, node.data!);
      this.constants.set(node, t);
    }
    return t;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private wrap(t: GpuTensor, shape: Shape, dtype: DType): DeviceBuffer { return this.tensors.add(t, shape, dtype, t.size); }

  private tensorOf(buffer: DeviceBuffer): GpuTensor {
    this.check();
    return this.tensors.get(buffer);
  }

  private device(): AcquiredDevice {
    this.check();
    if (!this.acquired) throw new Error('webgpu: call init() before using the backend');
    return this.acquired;
  }

  private pools(): GpuBufferPool {
    this.device();
    return this.pool!;
  }

  private check(): void {
    if (this.disposed) throw new Error('webgpu: backend was disposed');
  }
}
