// onnxruntime-node loading and execution providers: which providers exist here, what is missing for CUDA,
// and a probe that runs a one-node model on the chosen provider so `init()` fails early with a reason.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { OnnxType, encodeModel } from './onnx-model.js';

/** The onnxruntime-node module. */
export type OrtModule = typeof Ort;

/** Execution providers the backend accepts. */
export const ONNX_PROVIDERS = ['cpu', 'webgpu', 'cuda'] as const;
/** One execution provider. */
export type OnnxProvider = (typeof ONNX_PROVIDERS)[number];

let ortPromise: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node once (dynamically, so a machine without its binaries fails in init, not at import). */
export function loadOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-node').then((m) => (m as unknown as { default?: OrtModule }).default ?? (m as unknown as OrtModule)).catch((e: unknown) => {
    ortPromise = undefined;
    throw new Error(`onnx: cannot load onnxruntime-node (${e instanceof Error ? e.message : String(e)}); it ships prebuilt binaries for linux/win32/darwin x64 and arm64`);
  });
  return ortPromise;
}

/** Folder of onnxruntime-node's native libraries for this platform. */
export function ortBinaryDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return path.join(path.dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** The CUDA provider libraries onnxruntime-node loads (not bundled in the npm package). */
export const CUDA_PROVIDER_LIBS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

/** Provider names onnxruntime-node lists here, with whether they are bundled. */
export function listProviders(ort: OrtModule): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Providers usable without extra installation: bundled ones, plus cuda when its libraries are present. */
export function availableProviders(ort: OrtModule): string[] {
  const dir = ortBinaryDir();
  return listProviders(ort).filter((p) => p.bundled || (p.name === 'cuda' && CUDA_PROVIDER_LIBS.every((f) => existsSync(path.join(dir, f))))).map((p) => p.name);
}

/**
 * Session options for `provider`: graph optimization 'all', `threads` intra-op threads, sequential execution,
 * onnxruntime's logging off (errors are rethrown wrapped). `spinning: false` makes idle workers block at once
 * instead of spinning (slower on an idle machine, steadier on a busy one).
 */
export function sessionOptions(provider: OnnxProvider, threads: number, spinning = true): Ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: 'sequential', logSeverityLevel: 4,
    ...(spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  };
}

// y = x + x on one f32 value: the smallest model that exercises a provider end to end.
function probeModel(): Uint8Array {
  return encodeModel({
    graphName: 'gramr_probe', nodes: [{ opType: 'Add', inputs: ['x', 'x'], outputs: ['y'], name: 'probe_add' }],
    initializers: [], inputs: [{ name: 'x', dataType: OnnxType.FLOAT, dims: [1] }],
    outputs: [{ name: 'y', dataType: OnnxType.FLOAT, dims: [1] }],
  });
}

/** Throws an Error saying why `provider` cannot run here (missing libraries, no device), or returns normally. */
export async function probeProvider(ort: OrtModule, provider: OnnxProvider, threads: number): Promise<void> {
  const listed = listProviders(ort);
  const avail = availableProviders(ort);
  const where = `available here: ${avail.join(', ') || 'none'}; onnxruntime-node lists ${listed.map((p) => `${p.name}${p.bundled ? '' : ' (not bundled)'}`).join(', ')}`;
  if (!listed.some((p) => p.name === provider)) throw new Error(`onnx: onnxruntime-node ${ort.env.versions.common} has no '${provider}' execution provider on ${process.platform}/${process.arch} (${where})`);
  if (provider === 'cuda') {
    const dir = ortBinaryDir();
    const missing = CUDA_PROVIDER_LIBS.filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length > 0) {
      throw new Error(`onnx: the CUDA execution provider is not installed: ${missing.join(', ')} missing from ${dir} `
        + `(npm ships it without them; see docs/onnx.md "CUDA": run ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js in node_modules/onnxruntime-node; ${where})`);
    }
  }
  let session: Ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(probeModel(), sessionOptions(provider, threads));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1.5), [1]) });
    const y = (out.y!.data as Float32Array)[0];
    if (y !== 3) throw new Error(`probe model computed ${y} instead of 3`);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).trim();
    const hint = provider === 'cuda' ? ' (the CUDA provider needs CUDA 12 and cuDNN 9 libraries on the library path and an NVIDIA GPU)'
      : provider === 'webgpu' ? ' (the WebGPU provider needs a GPU adapter: Vulkan, Metal or D3D12)' : '';
    throw new Error(`onnx: execution provider '${provider}' failed to run a one-node model: ${msg}${hint} (${where})`);
  } finally {
    await session?.release();
  }
}
