// The CPU backend as a plugin: binds ComputeBackend kind `cpu` for pipelines (`backend: {prefer: [cpu]}`).
// Always available; the reference every other backend is checked against.
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { CpuBackend } from './cpu-backend.js';

export default new ContainerModule((options) => {
  contributeKind(options, 'backend-cpu', {
    point: 'ComputeBackend', kind: 'cpu', description: 'reference backend in TypeScript on typed arrays (always available)',
    schema: z.object({}).strict(), impl: () => new CpuBackend(),
  });
});
