// `gramr work` (contributed by the queue plugin, index.ts): a distributed worker. Takes `judge`, `vote` and `prove` jobs from a BullMQ queue on Redis
// (see plugins/queue), runs each with the model the job names and writes the result once to the results hash; and
// `run-stage` jobs (whole stages placed on the queue), run in the run folder the job names. Opens models only from
// the folders given with --models, and runs stages only of pipelines under the folders given with --pipelines. Runs
// until SIGINT / SIGTERM. Never prints the Redis password.
import { ConfigError } from '../../core/errors.js';
import { BACKEND_HELP } from '../../core/pipeline/backend-choice.js';
import { redactCredentials } from '../../core/pipeline/redact-credentials.js';
import { chooseCommandBackend } from '../../core/command/backend-option.js';
import type { Command } from '../../core/command/command.js';
import type { Prover } from '../../core/recipe/prover.js';
import { modelRoots } from './job-check.js';
import { startLabelWorker } from './label-worker.js';
import { judgeOpenerOf } from '../../core/reward/judge-opener.js';
import { intOption } from '../../core/command/option-values.js';

const positiveInt = (v: unknown, name: string, dflt: number): number => intOption({ [name]: v }, name, 'gramr work', 1) ?? dflt;

export const workCommand: Command = {
  name: 'work',
  summary: 'Run a distributed worker: judge, vote and prove jobs queued on Redis (BullMQ) by queue-judge, self-train and synthesize-rationales, and whole stages placed on the queue (placement: {kind: queue}).',
  usage: 'gramr work --redis URL (--models DIR | --pipelines DIR)... [--queue NAME] [--backend B] [--concurrency N] [--lock-ms MS]',
  help: {
    redis: 'Redis URL, e.g. redis://127.0.0.1:6379 or rediss://:password@host:6380 (required; Redis must be trusted: see docs/security.md)',
    models: 'a folder models may be opened from (repeatable): a job naming a model elsewhere is refused', queue: 'queue name (default gramr-judge; stages placed on a queue use gramr-stages unless their placement names one)',
    pipelines: 'a folder whose pipelines this worker runs whole stages of (repeatable): the pipeline file and its run folder must lie under it, at the same path as on the runner\'s machine (shared storage)',
    backend: BACKEND_HELP, concurrency: 'jobs run at once (default 1)',
    'lock-ms': 'job lock in ms: a dead worker\'s jobs go back to the queue after about this long (default 30000)',
  },
  options: { redis: { type: 'string' }, models: { type: 'string', multiple: true }, pipelines: { type: 'string', multiple: true }, queue: { type: 'string' }, backend: { type: 'string' }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' } },
  async run(values, positionals, context) {
    const where = 'gramr work';
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\nusage: ${this.usage}`, where);
    if (typeof values.redis !== 'string') throw new ConfigError(`--redis URL is required\nusage: ${this.usage}`, where);
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string') : []);
    const dirs = list(values.models);
    const pipelineDirs = list(values.pipelines);
    if (dirs.length === 0 && pipelineDirs.length === 0) {
      throw new ConfigError(`--models DIR or --pipelines DIR is required: the folders this worker may open models from, and those whose pipelines it runs stages of (jobs naming others are refused)\nusage: ${this.usage}`, where);
    }
    const queue = typeof values.queue === 'string' ? values.queue : 'gramr-judge';
    const concurrency = positiveInt(values.concurrency, 'concurrency', 1);
    const lockDurationMs = positiveInt(values['lock-ms'], 'lock-ms', 30000);
    const roots = await modelRoots(dirs).catch((e: Error) => { throw new ConfigError(e.message, where); });
    const pipelineRoots = await modelRoots(pipelineDirs, '--pipelines').catch((e: Error) => { throw new ConfigError(e.message, where); });
    const container = await context.container();
    const { backend, chain } = await chooseCommandBackend(container, values.backend, 'gramr work');
    let done = 0;
    let stages = 0;
    const worker = startLabelWorker(backend, { redis: values.redis, queue, modelRoots: roots, pipelineRoots, plugins: context.plugins, judges: judgeOpenerOf(container), provers: (kind) => container.get<Prover>('Prover', kind), concurrency, lockDurationMs,
      onResult: () => { done++; }, onStage: () => { stages++; } });
    const from = [roots.length ? `models from ${roots.join(', ')}` : 'no models', pipelineRoots.length ? `stages of pipelines under ${pipelineRoots.join(', ')}` : 'no stages'];
    process.stderr.write(`gramr work: pid ${process.pid} on queue "${queue}" at ${redactCredentials(values.redis)}, ${from.join(', ')} (backend ${chain}, concurrency ${concurrency})\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await worker.close();
    backend.dispose();
    process.stderr.write(`gramr work: stopped after ${done} results and ${stages} stages\n`);
    return 0;
  },
};
