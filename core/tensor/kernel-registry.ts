// Registry of kernels keyed `backend/opName` (e.g. `cpu/softmax`). Registering a key twice is an error, so two
// modules can never silently replace each other's kernel.

/** Kernels of any backend, keyed `backend/opName`. `K` is the backend's kernel function type. */
export class KernelRegistry<K = unknown> {
  private readonly kernels = new Map<string, K>();

  /** Registers `kernel` under `backend/op`; throws if that key is taken. */
  register(backend: string, op: string, kernel: K): void {
    const key = `${backend}/${op}`;
    if (!backend || !op || backend.includes('/')) throw new Error(`KernelRegistry: invalid key '${key}' (expected backend/opName)`);
    if (this.kernels.has(key)) throw new Error(`KernelRegistry: kernel '${key}' is already registered`);
    this.kernels.set(key, kernel);
  }

  /** The kernel for `backend/op`, or undefined. */
  get(backend: string, op: string): K | undefined {
    return this.kernels.get(`${backend}/${op}`);
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
