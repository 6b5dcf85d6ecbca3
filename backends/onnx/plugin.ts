// The ONNX Runtime backend as a plugin: binds ComputeBackend kind `onnx` (options: provider cpu|webgpu|cuda,
// threads). The container's instance uses the defaults (cpu provider, 2 threads); a pipeline's
// `backend.options.onnx` builds one with its options through `create`.
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { OnnxBackend } from './onnx-backend.js';
import { ONNX_PROVIDERS } from './providers.js';

/** Options of the `onnx` backend kind. */
export const onnxBackendSchema = z.object({
  provider: z.enum(ONNX_PROVIDERS).default('cpu').describe('onnxruntime execution provider: cpu (default), webgpu (bundled) or cuda (needs its libraries, docs/onnx.md)'),
  threads: z.number().int().min(1).max(256).default(2).describe('intra-op threads per session'),
}).strict();

export default new ContainerModule((options) => {
  contributeKind(options, 'backend-onnx', {
    point: 'ComputeBackend', kind: 'onnx',
    description: 'whole graph lowered to one ONNX model, run by onnxruntime-node (cpu, webgpu or cuda provider)',
    schema: onnxBackendSchema, impl: () => new OnnxBackend(),
    create: (o) => new OnnxBackend(onnxBackendSchema.parse(o)),
  });
});
