// The one registry of kernels, keyed `backend/opName` (`cpu/softmax`, `webgpu/matmul`, `onnx/rms_norm`: for the
// ONNX backend a kernel is the lowering that emits the op's ONNX nodes). Each backend module registers its kernels
// in `kernelRegistry` when loaded; a backend instance reads them through a KernelSet (its own selection, e.g.
// without fused composites, plus kernels added to that instance only). Registering a key twice is an error, so two
// modules can never silently replace each other's kernel.
import { isPrimitive } from './primitives.js';
import { compileGraph, type Program } from './program.js';
import type { Tensor } from './tensor.js';

/** What a backend may need to know about a kernel beyond the function itself. */
export interface KernelTraits {
  /**
   * A fused composite with no backward of its own: used only where the graph does not also compute its
   * decomposition (a forward-only graph), since a training graph differentiates the decomposition anyway.
   */
  forwardOnly?: boolean;
}

/** Kernels of any backend, keyed `backend/opName`. `K` is the backend's kernel function type. */
export class KernelRegistry<K = unknown> {
  private readonly kernels = new Map<string, { kernel: K; traits: KernelTraits }>();

  /** Registers `kernel` under `backend/op`; throws if that key is taken. */
  register(backend: string, op: string, kernel: K, traits: KernelTraits = {}): void {
    const key = `${backend}/${op}`;
    if (!backend || !op || backend.includes('/')) throw new Error(`KernelRegistry: invalid key '${key}' (expected backend/opName)`);
    if (this.kernels.has(key)) throw new Error(`KernelRegistry: kernel '${key}' is already registered`);
    this.kernels.set(key, { kernel, traits });
  }

  /** The kernel for `backend/op`, or undefined. */
  get(backend: string, op: string): K | undefined {
    return this.kernels.get(`${backend}/${op}`)?.kernel;
  }

  /** The traits `backend/op` was registered with (empty when none or not registered). */
  traits(backend: string, op: string): KernelTraits {
    return this.kernels.get(`${backend}/${op}`)?.traits ?? {};
  }

  /** True when `backend/op` is registered. */
  has(backend: string, op: string): boolean {
    return this.kernels.has(`${backend}/${op}`);
  }

  /** Op names registered for `backend`, sorted. */
  ops(backend: string): string[] {
    const prefix = `${backend}/`;
    return [...this.kernels.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  /** All keys, sorted. */
  keys(): string[] {
    return [...this.kernels.keys()].sort();
  }
}

/** The process-wide registry every backend registers its built-in kernels (and the ONNX lowerings) in. */
export const kernelRegistry = new KernelRegistry<unknown>();

/**
 * The kernels one backend instance runs: those of `backend` in a registry, all primitives plus the fused
 * composites when `fused`, and kernels registered on this set only (a test's or a plugin's extra kernel).
 */
export class KernelSet<K> {
  private readonly own = new Map<string, K>();

  /**
   * @param backend the registry prefix (`cpu`, `webgpu`, `onnx`)
   * @param fused include the registry's fused composites (false: only primitives, composites are expanded)
   * @param registry where the built-in kernels are (default: the process-wide one)
   */
  constructor(readonly backend: string, readonly fused: boolean, private readonly registry: KernelRegistry<unknown> = kernelRegistry) {}

  /** The kernel of `op` this set runs, or undefined. */
  get(op: string): K | undefined {
    return this.own.get(op) ?? (this.included(op) ? this.registry.get(this.backend, op) as K : undefined);
  }

  /** True when this set has a kernel for `op`. */
  has(op: string): boolean { return this.get(op) !== undefined; }

  /** Op names this set runs, sorted. */
  ops(): string[] {
    const shared = this.registry.ops(this.backend).filter((op) => this.included(op));
    return [...new Set([...shared, ...this.own.keys()])].sort();
  }

  /** Composite op names this set runs fused (not primitives), sorted. */
  fusedOps(): string[] { return this.ops().filter((op) => !isPrimitive(op)); }

  /** The registry traits of `op` (empty for kernels added to this set). */
  traits(op: string): KernelTraits { return this.own.has(op) ? {} : this.registry.traits(this.backend, op); }

  /**
   * The program computing `outputs` with these kernels: composites this set has a kernel for stay fused, others are
   * expanded into primitives. Throws naming a node no kernel runs.
   */
  compile(outputs: readonly Tensor[]): Program {
    const program = compileGraph(outputs, { fused: (op) => this.has(op) });
    for (const n of program.nodes) {
      if (n.op !== 'input' && n.op !== 'constant' && !this.has(n.op)) throw new Error(`${this.backend}.compile: no kernel for op '${n.op}' (${n})`);
    }
    return program;
  }

  /** Adds a kernel to this set only; throws if the set already has one for `op`. */
  register(op: string, kernel: K): void {
    if (this.has(op)) throw new Error(`KernelRegistry: kernel '${this.backend}/${op}' is already registered`);
    this.own.set(op, kernel);
  }

  private included(op: string): boolean { return this.fused || isPrimitive(op); }
}
