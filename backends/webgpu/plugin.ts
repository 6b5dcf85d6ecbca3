// The WebGPU backend as a plugin: binds ComputeBackend kind `webgpu` (options: adapter, fused). Nothing touches the
// GPU until the backend is initialized, so listing plugins never loads Dawn.
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { ADAPTER_CHOICES } from './device.js';
import { WebGpuBackend } from './webgpu-backend.js';

/** Options of the `webgpu` backend kind. */
export const webgpuBackendSchema = z.object({
  adapter: z.enum(ADAPTER_CHOICES).default('auto').describe('adapter path: auto (a GPU through Dawn\'s default backends, then OpenGL/GLES, which is Mesa llvmpipe on machines without a GPU), or one of them by name'),
  fused: z.boolean().default(true).describe('use the fused composite kernels (false expands every composite into primitives)'),
}).strict();

export default new ContainerModule((options) => {
  contributeKind(options, 'backend-webgpu', {
    point: 'ComputeBackend', kind: 'webgpu',
    description: 'WGSL compute shaders through Dawn (npm webgpu): a real GPU, or Mesa llvmpipe through OpenGL without one',
    schema: webgpuBackendSchema, impl: () => new WebGpuBackend(),
    create: (o) => new WebGpuBackend(webgpuBackendSchema.parse(o)),
  });
});
