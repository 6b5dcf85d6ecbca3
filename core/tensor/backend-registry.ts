// Backend factories by name and the resolver for a preference list: the first backend whose init succeeds
// wins; every failure reason is kept and shown if none does. Nothing falls back silently.
import type { ComputeBackend } from './backend.js';

/** Creates an uninitialized backend. */
export type BackendFactory = () => ComputeBackend | Promise<ComputeBackend>;

/** One attempt of the resolver. */
export interface BackendAttempt {
  /** Backend name tried. */
  name: string;
  /** Why it failed; absent for the one that initialized. */
  error?: string;
}

/** Result of resolving a preference list. */
export interface ResolvedBackend {
  /** The initialized backend. */
  backend: ComputeBackend;
  /** Every backend tried, in order, with failure reasons. */
  tried: BackendAttempt[];
}

/** Backend factories by name. */
export class BackendRegistry {
  private readonly factories = new Map<string, BackendFactory>();

  /** Registers a factory; a name can be registered once. */
  register(name: string, factory: BackendFactory): void {
    if (this.factories.has(name)) throw new Error(`BackendRegistry: backend '${name}' is already registered`);
    this.factories.set(name, factory);
  }

  /** True when `name` is registered. */
  has(name: string): boolean { return this.factories.has(name); }

  /** Registered names, in registration order. */
  names(): string[] { return [...this.factories.keys()]; }

  /** Creates and initializes backend `name` (throws with the reason). */
  async create(name: string): Promise<ComputeBackend> {
    const factory = this.factories.get(name);
    if (!factory) throw new Error(`not registered (registered: ${this.names().join(', ') || 'none'})`);
    const backend = await factory();
    await backend.init();
    return backend;
  }

  /** Tries `prefer` in order; returns the first that initializes, or throws listing every failure. */
  async resolve(prefer: readonly string[]): Promise<ResolvedBackend> {
    if (prefer.length === 0) throw new Error(`resolveBackend: the preference list is empty (registered: ${this.names().join(', ') || 'none'})`);
    const tried: BackendAttempt[] = [];
    for (const name of prefer) {
      try {
        const backend = await this.create(name);
        tried.push({ name });
        return { backend, tried };
      } catch (e) {
        tried.push({ name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    throw new Error(`No compute backend could be initialized (tried ${prefer.join(', ')}):\n${tried.map((t) => `  - ${t.name}: ${t.error}`).join('\n')}`);
  }
}

/** Resolves `prefer` against `registry` (pipelines get theirs from the plugin container's ComputeBackend kinds). */
export function resolveBackend(prefer: readonly string[], registry: BackendRegistry): Promise<ResolvedBackend> {
  return registry.resolve(prefer);
}
