// The reward server plugin-room: `gramr serve` loads it by path at run time (core/cli/commands/serve.ts), so core
// has no static import of it. Exports the server, the model loader and the pieces tests use.
export * from './reward-server.js';
export * from './reward-model.js';
export * from './request-bodies.js';
export * from './micro-batcher.js';
export * from './server-metrics.js';
