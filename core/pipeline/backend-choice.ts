// Resolves a backend preference list against the ComputeBackend kinds plugins contributed: tries each in
// order, keeps every failure reason, and reports the chain ("onnx failed: ...; cpu ok"). Nothing falls back
// silently: the chain is printed in the run summary and recorded in every manifest.
import { WorkError } from '../errors.js';
import type { GramrContainer } from '../di/container.js';

/** What a backend must offer for resolution (the full contract is core/tensor's ComputeBackend). */
export interface Initializable {
  /** Backend name. */
  readonly name: string;
  /** Acquire the device / runtime; throws with a reason when unavailable. */
  init(): Promise<void>;
}

/** The backend chosen and how. */
export interface BackendChoice<B extends Initializable = Initializable> {
  /** The backend that initialized. */
  backend: B;
  /** Each one tried, with the reason it failed. */
  tried: Array<{ name: string; error?: string }>;
  /** Human-readable chain, e.g. `onnx (cpu EP) <- webgpu failed: no adapter`. */
  chain: string;
}

/** Try each preferred backend in order; throw a WorkError listing every failure when none initializes. */
export async function chooseBackend<B extends Initializable>(container: GramrContainer, prefer: string[]): Promise<BackendChoice<B>> {
  const tried: Array<{ name: string; error?: string }> = [];
  for (const name of prefer) {
    try {
      const b = container.get<B>('ComputeBackend', name);
      await b.init();
      tried.push({ name });
      const failed = tried.filter((t) => t.error).map((t) => `${t.name} failed: ${t.error}`);
      return { backend: b, tried, chain: [name, ...failed].join(' <- ') };
    } catch (e) {
      tried.push({ name, error: (e as Error).message.split('\n')[0] });
    }
  }
  throw new WorkError(`no compute backend could be initialized:\n${tried.map((t) => `  ${t.name}: ${t.error}`).join('\n')}`);
}
