// `gramr serve` (contributed by the server plugin, index.ts): serves a train-grm reward model over HTTP for RLHF trainers (OpenRLHF's --remote_rm_url), with
// /v1/judge, /healthz and /metrics (docs/serving.md). The backend comes from the application's plugin container. SIGTERM / SIGINT shut it down gracefully.
import { ConfigError } from '../../core/errors.js';
import { BACKEND_HELP } from '../../core/pipeline/backend-choice.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import type { Command } from '../../core/command/command.js';
import { judgeOpenerOf } from '../../core/reward/judge-opener.js';
import { openRewardModel } from './reward-model.js';
import { checkBinding, RewardServer } from './reward-server.js';
import { intOption } from '../../core/command/option-values.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve a reward model over HTTP: POST /get_reward (OpenRLHF remote RM), POST /v1/judge, /healthz, /metrics.',
  usage: 'gramr serve --model M [--tokenizer T] [--host 127.0.0.1] [--port 8000] [--token T] [--backend B] [--batch N] [--max-body BYTES] [--max-items N] [--timeout-ms N] [--max-generations N] [--body-timeout-ms N] [--max-connections N] [--separator S] [--temperature t] [--max-tokens n]',
  help: {
    model: 'a model folder train-grm wrote (required)', tokenizer: 'tokenizer overriding the one beside the model',
    host: 'address to bind (default 127.0.0.1; any other needs --token)', port: 'port (default 8000; 0 = a free one)',
    token: 'bearer token required on every route but /healthz (or env GRAMR_SERVE_TOKEN)', backend: BACKEND_HELP,
    batch: 'most pairs / responses per backend call (default 16)', 'max-body': 'largest request body in bytes (default 1048576)',
    'max-items': 'most queries per request (default 1024)', 'timeout-ms': 'per-request time limit (default 60000; 504 after it)',
    'max-generations': 'most generations one request may cost: votes × orders per pair, one per scored response (default 2048)',
    'body-timeout-ms': 'most ms to receive a request body (default 10000; 408 after it)', 'max-connections': 'most open connections (default 256)',
    separator: 'splits a query without "prompts": prompt before its last occurrence, response after (default "\\n<|assistant|>\\n")',
    temperature: 'generative models: sampling temperature (default 0; /v1/judge votes > 1 need > 0)', 'max-tokens': 'generative models: most generated tokens per judgment',
  },
  options: {
    model: { type: 'string' }, tokenizer: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' },
    backend: { type: 'string' }, batch: { type: 'string' }, 'max-body': { type: 'string' }, 'max-items': { type: 'string' }, 'timeout-ms': { type: 'string' },
    'max-generations': { type: 'string' }, 'body-timeout-ms': { type: 'string' }, 'max-connections': { type: 'string' },
    separator: { type: 'string' }, temperature: { type: 'string' }, 'max-tokens': { type: 'string' },
  },
  async run(values, positionals, context) {
    const where = 'gramr serve';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    if (typeof values.model !== 'string') throw new ConfigError(`--model is required\nusage: ${this.usage}`, where);
    const int = (name: string, min: number): number | undefined => intOption(values, name, where, min);
    const temperature = values.temperature === undefined ? undefined : Number(values.temperature);
    if (temperature !== undefined && !(temperature >= 0)) throw new ConfigError(`--temperature must be a number >= 0, got "${String(values.temperature)}"`, where);
    const token = typeof values.token === 'string' ? values.token : process.env.GRAMR_SERVE_TOKEN || undefined;
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const port = intOption(values, 'port', where, 0, 65535) ?? 8000;
    checkBinding(host, token); // before loading anything
    const container = await context.container();
    const { backend, chain } = await chooseCommandBackend(container, values.backend, where);
    try {
      const batch = int('batch', 1) ?? 16;
      const model = await openRewardModel(judgeOpenerOf(container), values.model, backend, {
        batchSize: Math.min(batch, 8), ...(typeof values.tokenizer === 'string' ? { tokenizer: values.tokenizer } : {}),
        ...(temperature !== undefined ? { temperature } : {}), ...(int('max-tokens', 1) !== undefined ? { maxTokens: int('max-tokens', 1) } : {}),
      });
      try {
        const server = new RewardServer(model, {
          host, port, batch, ...(token !== undefined ? { token } : {}),
          ...(int('max-body', 1) !== undefined ? { maxBodyBytes: int('max-body', 1) } : {}), ...(int('max-items', 1) !== undefined ? { maxItems: int('max-items', 1) } : {}),
          ...(int('timeout-ms', 1) !== undefined ? { timeoutMs: int('timeout-ms', 1) } : {}),
          ...(int('max-generations', 1) !== undefined ? { maxGenerations: int('max-generations', 1) } : {}),
          ...(int('body-timeout-ms', 1) !== undefined ? { bodyTimeoutMs: int('body-timeout-ms', 1) } : {}),
          ...(int('max-connections', 1) !== undefined ? { maxConnections: int('max-connections', 1) } : {}), ...(typeof values.separator === 'string' ? { separator: values.separator } : {}),
        });
        const { url } = await server.listen();
        process.stderr.write(`gramr serve: ${model.objective} model ${values.model} on ${chain}; listening on ${url} (POST /get_reward, POST /v1/judge, GET /healthz, GET /metrics)${token ? ', bearer token required' : ''}\n`);
        const signal = await new Promise<string>((resolve) => {
          process.once('SIGTERM', () => resolve('SIGTERM'));
          process.once('SIGINT', () => resolve('SIGINT'));
        });
        process.stderr.write(`gramr serve: ${signal}: finishing requests in flight, refusing new ones\n`);
        await server.close();
        return 0;
      } finally {
        model.dispose();
      }
    } finally {
      backend.dispose();
    }
  },
};
