// Built-in plugin `server`: the reward model server. Contributes the `gramr serve` command (serve-command.ts, loaded
// only when it runs) and exports the server, the model loader and the pieces tests use.
import { ContainerModule } from 'inversify';
import { contributeCommand } from '../../core/di/command-contribution.js';

export default new ContainerModule((options) => {
  contributeCommand(options, 'server', {
    name: 'serve', summary: 'Serve a reward model over HTTP: POST /get_reward (OpenRLHF remote RM), POST /v1/judge, /healthz, /metrics.',
    load: async () => (await import('./serve-command.js')).serveCommand,
  });
});

export * from './reward-server.js';
export * from './reward-model.js';
export * from './request-bodies.js';
export * from './micro-batcher.js';
export * from './server-metrics.js';
