// Built-in plugin `queue`: distributed judging over BullMQ on Redis — stage `queue-judge` enqueues a dataset's
// pairs (job id = pair id) and collects results written once per pair by `gramr work` workers on any machine.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { QueueJudgeStage, queueJudgeSchema } from './queue-judge-stage.js';

export default new ContainerModule((options) => {
  contributeKind(options, 'queue', { point: 'Stage', kind: 'queue-judge', schema: queueJudgeSchema, impl: QueueJudgeStage,
    description: 'judge a dataset\'s pairs through a BullMQ queue on Redis (workers: gramr work) -> the pairs plus judgment, in input order (resumable)' });
});

export { QueueJudgeStage, queueJudgeSchema } from './queue-judge-stage.js';
export { startLabelWorker, type LabelWorker, type LabelWorkerOptions } from './label-worker.js';
export * from './job-model.js';
