// Resolves a backend preference list against the ComputeBackend kinds plugins contributed, through the
// tensor layer's BackendRegistry: tries each in order, keeps every failure reason, and reports the chain
// ("cpu <- onnx failed: ..."). Nothing falls back silently: the chain is printed and recorded in manifests.
import { WorkError } from '../errors.js';
import type { GramrContainer } from '../di/container.js';
import type { ComputeBackend } from '../tensor/backend.js';
import { BackendRegistry, type BackendAttempt } from '../tensor/backend-registry.js';

/** The backend chosen and how. */
export interface BackendChoice {
  /** The backend that initialized. */
  backend: ComputeBackend;
  /** Each one tried, with the reason it failed. */
  tried: BackendAttempt[];
  /** Human-readable chain, e.g. `webgpu [llvmpipe ... via opengl]` or `cpu <- onnx failed: ...`. */
  chain: string;
}

/** Validated options per backend kind (a pipeline's `backend.options`). */
export type BackendOptions = Readonly<Record<string, unknown>>;

/**
 * A registry with one factory per ComputeBackend kind in the container: a kind with options (and a `create`)
 * gets a fresh instance built from them; otherwise the container's instance, built with defaults.
 */
export function backendRegistry(container: GramrContainer, options: BackendOptions = {}): BackendRegistry {
  const registry = new BackendRegistry();
  for (const kind of container.kinds('ComputeBackend')) {
    const create = container.contribution('ComputeBackend', kind)?.create;
    const given = options[kind];
    registry.register(kind, () => (given !== undefined && create ? create(given) as ComputeBackend : container.get<ComputeBackend>('ComputeBackend', kind)));
  }
  return registry;
}

/**
 * The preference list of a command without `--backend`: onnx (onnxruntime's CPU provider, several times faster than
 * the TypeScript reference on real models), then cpu. webgpu is opt-in: on a software adapter it is the slowest.
 */
export const DEFAULT_BACKENDS: readonly string[] = ['onnx', 'cpu'];

/** Help text of `--backend`. */
export const BACKEND_HELP = `compute backend, or a comma-separated preference list (default ${DEFAULT_BACKENDS.join(',')}: the first that initializes; printed)`;

/** A `--backend` value as a preference list (DEFAULT_BACKENDS when absent). */
export function backendPreference(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return [...DEFAULT_BACKENDS];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Try each preferred backend in order; throw a WorkError listing every failure when none initializes. */
export async function chooseBackend(container: GramrContainer, prefer: string[], options: BackendOptions = {}): Promise<BackendChoice> {
  try {
    const { backend, tried } = await backendRegistry(container, options).resolve(prefer);
    const failed = tried.filter((t) => t.error !== undefined).map((t) => `${t.name} failed: ${(t.error ?? '').split('\n')[0]}`);
    const what = backend.describe?.();
    return { backend, tried, chain: [`${backend.name}${what ? ` [${what}]` : ''}`, ...failed].join(' <- ') };
  } catch (e) {
    throw new WorkError((e as Error).message);
  }
}
