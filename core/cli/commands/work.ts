// `gramr work`: a distributed-labeling worker. Takes `judge`, `vote` and `prove` jobs from a BullMQ queue on Redis
// (see plugins/queue), runs each with the model the job names and writes the result once to the results hash.
// Runs until SIGINT / SIGTERM. Relies on plugins/queue (loaded by path so core keeps no static plugin import).
import { ConfigError } from '../../errors.js';
import { createGramrContainer } from '../../di/container.js';
import { BACKEND_HELP } from '../../pipeline/backend-choice.js';
import { chooseCommandBackend } from '../backend-option.js';
import type { Command } from '../command.js';

const positiveInt = (v: unknown, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`--${name} must be a positive integer, got ${JSON.stringify(v)}`, 'gramr work');
  return n;
};

export const workCommand: Command = {
  name: 'work',
  summary: 'Run a distributed-labeling worker: judge, vote and prove jobs queued on Redis (BullMQ) by queue-judge, self-train and synthesize-rationales.',
  usage: 'gramr work --redis URL [--queue NAME] [--backend B] [--concurrency N] [--lock-ms MS]',
  help: {
    redis: 'Redis URL, e.g. redis://127.0.0.1:6379 (required)', queue: 'queue name (default gramr-judge)',
    backend: BACKEND_HELP, concurrency: 'jobs run at once (default 1)',
    'lock-ms': 'job lock in ms: a dead worker\'s jobs go back to the queue after about this long (default 30000)',
  },
  options: { redis: { type: 'string' }, queue: { type: 'string' }, backend: { type: 'string' }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' } },
  async run(values, positionals) {
    const where = 'gramr work';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    if (typeof values.redis !== 'string') throw new ConfigError(`--redis URL is required\nusage: ${this.usage}`, where);
    const queue = typeof values.queue === 'string' ? values.queue : 'gramr-judge';
    const concurrency = positiveInt(values.concurrency, 'concurrency', 1);
    const lockDurationMs = positiveInt(values['lock-ms'], 'lock-ms', 30000);
    const { backend, chain } = await chooseCommandBackend(await createGramrContainer(), values.backend, 'gramr work');
    const { startLabelWorker } = await import(new URL('../../../plugins/queue/label-worker.js', import.meta.url).href) as typeof import('../../../plugins/queue/label-worker.js');
    let done = 0;
    const worker = startLabelWorker(backend, { redis: values.redis, queue, concurrency, lockDurationMs, onResult: () => { done++; } });
    process.stderr.write(`gramr work: pid ${process.pid} on queue "${queue}" at ${values.redis} (backend ${chain}, concurrency ${concurrency})\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.close();
    backend.dispose();
    process.stderr.write(`gramr work: stopped after ${done} results\n`);
    return 0;
  },
};
