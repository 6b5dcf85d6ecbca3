// The CPU backend: the reference every other backend is checked against. Plain TypeScript on typed arrays,
// f32 by default or f64 (`precision: 'f64'`) for gradient checks. Runs a compiled program node by node,
// releasing each intermediate to a pool after its last use.
import type {
  BackendCapabilities, CompiledGraph, ComputeBackend, DeviceBuffer, Feeds, MemoryCounters,
} from '../../core/tensor/backend.js';
import { checkFeeds } from '../../core/tensor/backend.js';
import type { DType, HostArray, HostData } from '../../core/tensor/dtype.js';
import { BufferTable, checkUploadLength, checkUploadRange, writeHost } from '../../core/tensor/buffer-table.js';
import type { KernelSet } from '../../core/tensor/kernel-registry.js';
import { executeProgram } from '../../core/tensor/execute-program.js';
import { sizeOf, type Shape } from '../../core/tensor/shape.js';
import type { Tensor } from '../../core/tensor/tensor.js';
import { BufferPool, type CpuArray } from './buffer-pool.js';
import { cpuKernels } from './cpu-kernels.js';
import type { CpuKernel, KernelContext } from './kernels/kernel.js';

/** Options of the CPU backend. */
export interface CpuBackendOptions {
  /** 'f32' (default) stores f32 tensors as Float32Array; 'f64' as Float64Array (reference for gradient checks). */
  precision?: 'f32' | 'f64';
  /** Use the fused composite kernels (default true); false expands every composite into primitives. */
  fused?: boolean;
}

/** The reference backend. */
export class CpuBackend implements ComputeBackend {
  /** Registry name. */
  readonly name = 'cpu';
  /** Kernels by `cpu/<op>`: primitives and fused composites; `registerKernel` adds more. */
  readonly kernels: KernelSet<CpuKernel>;
  /** Storage precision of f32 tensors. */
  readonly precision: 'f32' | 'f64';
  private readonly pool: BufferPool;
  private readonly arrays = new BufferTable<CpuArray>('cpu');
  private readonly constants = new WeakMap<Tensor, CpuArray>();
  private readonly ctx: KernelContext;
  // Arrays allocated by the kernel now running: released if it throws.
  private kernelAllocs: CpuArray[] = [];
  private disposed = false;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    if (this.precision !== 'f32' && this.precision !== 'f64') throw new Error(`cpu: precision '${String(this.precision)}' (valid: f32, f64)`);
    this.kernels = cpuKernels(options.fused ?? true);
    this.pool = new BufferPool(this.precision === 'f64');
    const track = (a: CpuArray): CpuArray => { this.kernelAllocs.push(a); return a; };
    this.ctx = {
      alloc: (n, d) => track(this.pool.alloc(n, d)),
      zeros: (n, d) => track(this.pool.zeros(n, d)),
      release: (a) => {
        const i = this.kernelAllocs.indexOf(a);
        if (i < 0) throw new Error('cpu: a kernel released an array it did not allocate');
        this.kernelAllocs.splice(i, 1);
        this.pool.release(a);
      },
    };
  }

  /** Always succeeds: the CPU backend needs nothing from the machine. */
  async init(): Promise<void> { this.check(); }

  /** f32/i32, f64 when constructed so, and the fused kernels registered. */
  capabilities(): BackendCapabilities {
    const fused = this.kernels.fusedOps();
    return { dtypes: ['f32', 'i32'], f64: this.precision === 'f64', fusedKernels: fused };
  }

  /** Adds a kernel (typically a fused composite) under `cpu/<op>`; duplicates are rejected. */
  registerKernel(op: string, kernel: CpuKernel): void { this.kernels.register(op, kernel); }

  allocate(shape: Shape, dtype: DType): DeviceBuffer {
    this.check();
    return this.wrap(this.pool.zeros(sizeOf(shape), dtype), shape, dtype);
  }

  upload(buffer: DeviceBuffer, data: HostData): void {
    const arr = this.arrayOf(buffer);
    checkUploadLength('cpu.upload', buffer, arr.length, data.length);
    writeHost(arr, data);
  }

  /** Copies host data into elements [offset, offset + data.length) of the buffer (the rest is left as it is). */
  uploadRange(buffer: DeviceBuffer, offset: number, data: HostData): void {
    const arr = this.arrayOf(buffer);
    checkUploadRange('cpu.uploadRange', buffer, arr.length, offset, data.length);
    writeHost(arr, data, offset);
  }

  async download(buffer: DeviceBuffer): Promise<HostArray> { return this.downloadSync(buffer); }

  /** Synchronous download (a copy). */
  downloadSync(buffer: DeviceBuffer): HostArray { return this.arrayOf(buffer).slice(); }

  free(buffer: DeviceBuffer): void {
    this.check();
    this.pool.release(this.arrays.take(buffer));
  }

  compile(outputs: readonly Tensor[]): CompiledGraph {
    this.check();
    return { backend: this.name, program: this.kernels.compile(outputs) };
  }

  async run(graph: CompiledGraph, feeds: Feeds): Promise<DeviceBuffer[]> { return this.runSync(graph, feeds); }

  /** Synchronous `run`. */
  runSync(graph: CompiledGraph, feeds: Feeds): DeviceBuffer[] {
    this.check();
    const { program } = graph;
    if (graph.backend !== this.name) throw new Error(`cpu.run: graph was compiled for '${graph.backend}'`);
    checkFeeds(program, feeds, this.name);
    const outs = executeProgram<CpuArray>(program, {
      feed: (name) => this.arrayOf(feeds[name]!),
      constant: (node) => this.constantArray(node),
      kernel: (node, ins) => {
        this.kernelAllocs = [];
        try {
          const arr = this.kernels.get(node.op)!(node, ins, this.ctx);
          this.kernelAllocs = [];
          return arr;
        } catch (e) {
          for (const a of this.kernelAllocs) this.pool.release(a);
          this.kernelAllocs = [];
          throw new Error(`cpu: op '${node.op}' (${node}, inputs ${node.inputs.map(String).join(', ')}) failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
      release: (arr) => this.pool.release(arr),
      copy: (arr, node) => { const c = this.pool.alloc(arr.length, node.dtype); c.set(arr); return c; },
    });
    return outs.map((arr, k) => { const node = program.nodes[program.outputs[k]!]!; return this.wrap(arr, node.shape, node.dtype); });
  }

  memory(): MemoryCounters {
    const p = this.pool;
    return { buffers: p.liveBuffers, bytes: p.liveBytes, pooledBuffers: p.pooledBuffers, pooledBytes: p.pooledBytes };
  }

  dispose(): void {
    for (const arr of this.arrays.values()) this.pool.release(arr);
    this.arrays.clear();
    this.pool.clear();
    this.disposed = true;
  }

  private constantArray(node: Tensor): CpuArray {
    let arr = this.constants.get(node);
    if (!arr) {
      arr = this.precision === 'f64' && node.dtype === 'f32' ? Float64Array.from(node.data!) : node.data!;
      this.constants.set(node, arr);
    }
    return arr;
  }

  private wrap(arr: CpuArray, shape: Shape, dtype: DType): DeviceBuffer { return this.arrays.add(arr, shape, dtype, arr.length); }

  private arrayOf(buffer: DeviceBuffer): CpuArray {
    this.check();
    return this.arrays.get(buffer);
  }

  private check(): void {
    if (this.disposed) throw new Error('cpu: backend was disposed');
  }
}
