// The backend of a bench child process: `--backend NAME` through the container (as commands choose), or
// `--provider cuda|webgpu|cpu` for the onnx backend on that onnxruntime execution provider (the GPU check).
import type { ComputeBackend } from '../core/tensor/backend.js';

/** An initialized backend and how it was chosen (`onnx [cpu provider, 2 threads]`). */
export async function benchBackend(backendName: string, provider: string): Promise<{ backend: ComputeBackend; chain: string }> {
  if (provider === '') {
    const { createAppContainer } = await import('../cli/app.js');
    const { chooseBackend } = await import('../core/pipeline/backend-choice.js');
    return chooseBackend(await createAppContainer([], { backendsOnly: true }), [backendName]);
  }
  const { OnnxBackend } = await import('../backends/onnx/onnx-backend.js');
  const b = new OnnxBackend({ provider: provider as 'cuda' | 'webgpu' | 'cpu' });
  await b.init();
  return { backend: b, chain: `onnx [${provider} provider]` };
}
