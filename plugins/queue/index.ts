// Built-in plugin `queue`: distributed labeling over BullMQ on Redis. The stage `queue-judge` judges a dataset through
// the queue; the `executor` option (executor-options.ts) lets self-train and synthesize-rationales send their votes and
// proofs there too; the placement kind `queue` (queue-placement.ts) hands whole stages to workers; `gramr work`
// workers on any machine do the jobs and write each result once (the command is contributed here, work-command.ts). Loading the plugin
// does not load bullmq: the runtime modules (job-model, queue-executor, label-worker) are imported by path when used.
import { ContainerModule } from 'inversify';
import { contributeCommand } from '../../core/di/command-contribution.js';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { QueueJudgeStage, queueJudgeSchema } from './queue-judge-stage.js';
import { QueuePlacement, queuePlacementSchema } from './queue-placement.js';

export default new ContainerModule((options) => {
  contributeKind(options, 'queue', { point: 'Stage', kind: 'queue-judge', schema: queueJudgeSchema, impl: QueueJudgeStage,
    executionKeys: ['redis', 'queue', 'attempts', 'pollMs', 'timeoutS'],
    description: 'judge a dataset\'s pairs through a BullMQ queue on Redis (workers: gramr work) -> the pairs plus judgment, in input order (resumable)' });
  contributeKind(options, 'queue', { point: 'StagePlacement', kind: 'queue', schema: queuePlacementSchema, impl: QueuePlacement,
    description: 'run the whole stage on a gramr work --pipelines DIR worker through a BullMQ queue on Redis; workers must see the run folder at the same path (shared storage)' });
  contributeCommand(options, 'queue', {
    name: 'work', summary: 'Run a distributed worker: judge, vote and prove jobs queued on Redis (BullMQ) by queue-judge, self-train and synthesize-rationales, and whole stages placed on the queue (placement: {kind: queue}).',
    load: async () => (await import('./work-command.js')).workCommand,
  });
});

export { QueueJudgeStage, queueJudgeSchema } from './queue-judge-stage.js';
export { QueuePlacement, queuePlacementSchema, DEFAULT_STAGE_QUEUE, type QueuePlacementOptions } from './queue-placement.js';
export { executorSchema, queueOf, DEFAULT_QUEUE, type ExecutorOptions, type QueueExecutorOptions, type ExecutorContext } from './executor-options.js';
export type { LabelWorker, LabelWorkerOptions } from './label-worker.js';
export type { JobKind, LabelJob, JudgePayload, VotePayload, ProvePayload, LabelResult, VoteResult, ProveResult, ModelRef } from './job-model.js';
export type { QueueItem, QueueRunStats } from './queue-executor.js';
