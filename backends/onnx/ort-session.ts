// One loaded ONNX model, run from JS. Two ways in: onnxruntime-node's public InferenceSession (its `run` validates
// the feeds, waits one setImmediate and wraps every output), or — when the package layout allows — its native
// binding directly, which runs synchronously and costs ~15 us less per call (it matters for one-token decode
// steps of ~100 us). Both give the same outputs; the public path is the fallback.
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import type { OrtModule } from './providers.js';

/** A session: feeds by graph input name in, tensors by graph output name out. */
export interface OrtRunner {
  /** Runs the model once. */
  run(feeds: Record<string, Ort.Tensor>): Promise<Record<string, Ort.Tensor>>;
  /** Runs the model once, synchronously (native binding only; it blocks like onnxruntime-node's own run does). */
  runSync?(feeds: Record<string, Ort.Tensor>): Record<string, Ort.Tensor>;
  /** Frees the native session. */
  release(): Promise<void>;
}

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: object): void;
  run(feeds: Record<string, Ort.Tensor>, fetches: Record<string, null>, options: object): Record<string, Ort.Tensor>;
  dispose(): void;
  readonly outputMetadata: { name: string }[];
}
interface NativeBinding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

let native: NativeBinding | false | undefined;

// onnxruntime-node's internal binding module, or false when its layout differs from 1.30's.
function nativeBinding(): NativeBinding | false {
  if (native === undefined) {
    try {
      const m = createRequire(import.meta.url)('onnxruntime-node/dist/binding') as Partial<NativeBinding>;
      const ok = typeof m.initOrt === 'function' && typeof m.binding?.InferenceSession === 'function'
        && typeof m.binding.InferenceSession.prototype.run === 'function' && typeof m.binding.InferenceSession.prototype.loadModel === 'function';
      native = ok ? (m as NativeBinding) : false;
    } catch {
      native = false;
    }
  }
  return native;
}

/** True when sessions can use the native binding directly. */
export function nativeBindingAvailable(): boolean { return nativeBinding() !== false; }

/**
 * Creates a session for `bytes`. `direct` asks for the native binding (falls back to the public API when it
 * is not there); the public path is used for providers other than cpu.
 */
export async function createRunner(ort: OrtModule, bytes: Uint8Array, options: Ort.InferenceSession.SessionOptions, direct: boolean): Promise<OrtRunner> {
  const nb = direct ? nativeBinding() : false;
  if (nb) {
    nb.initOrt();
    const s = new nb.binding.InferenceSession();
    s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, options);
    const fetches: Record<string, null> = {};
    for (const o of s.outputMetadata) fetches[o.name] = null;
    const runOptions = {};
    return {
      runSync: (feeds) => s.run(feeds, fetches, runOptions),
      run: (feeds) => {
        try {
          return Promise.resolve(s.run(feeds, fetches, runOptions));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
      release: () => { s.dispose(); return Promise.resolve(); },
    };
  }
  const session = await ort.InferenceSession.create(bytes, options);
  return {
    run: (feeds) => session.run(feeds) as Promise<Record<string, Ort.Tensor>>,
    release: () => session.release(),
  };
}
