// The entry of a stage process (see stage-process.ts): loads the pipeline and chooses its own backend as soon as it
// is told which pipeline, then waits for one stage over IPC, runs it and sends back the result. If the runner dies
// (kill -9), this process dies too within ~20 ms, even in the middle of a long synchronous computation: a watchdog
// thread sees the parent pid change and sends SIGKILL to its own process. The stage's writers are crash-safe, so the next run resumes from what was flushed.
import { Worker } from 'node:worker_threads';
import { GramrError } from '../errors.js';
import { chooseBackend } from './backend-choice.js';
import { loadPipeline } from './load-pipeline.js';
import { createStageProgress, type StageProgress } from './progress.js';
import { executeStage, stageConfigHash } from './stage-exec.js';
import type { StageJobMessage, StagePrepareMessage, StageProcessMessage } from './stage-process.js';
import type { Pipeline } from './load-pipeline.js';
import type { BackendChoice } from './backend-choice.js';
import type { ProgressUpdate } from './task-context.js';

const send = (m: StageProcessMessage): Promise<void> => new Promise((resolve) => {
  if (!process.connected) resolve();
  else process.send!(m, undefined, {}, () => resolve());
});

/** Progress to the stage's event log here, and (throttled) to the runner for display. */
function forwarding(local: StageProgress, everyMs = 100): StageProgress {
  let last = 0;
  let pending: ProgressUpdate | undefined;
  return {
    update(u) {
      local.update(u);
      pending = u;
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        pending = undefined;
        void send({ type: 'progress', update: u });
      }
    },
    log(message) {
      local.log(message);
      void send({ type: 'log', message });
    },
    finish() {
      local.finish();
      if (pending) void send({ type: 'progress', update: pending });
    },
  };
}

interface Prepared { p: Pipeline; choice: BackendChoice }

async function prepare(m: StagePrepareMessage): Promise<Prepared> {
  const p = await loadPipeline(m.file, m.sets, m.plugins);
  return { p, choice: await chooseBackend(p.container, p.backendPrefer, p.backendOptions) };
}

async function runJob(job: StageJobMessage, prepared: Promise<Prepared>, signal: AbortSignal): Promise<StageProcessMessage> {
  try {
    const { p, choice } = await prepared;
    if (p.file !== job.file) throw new Error(`stage process prepared ${p.file}, not ${job.file}`);
    const st = p.stages.find((s) => s.id === job.stageId);
    if (!st) throw new Error(`stage "${job.stageId}" is not in ${job.file} any more`);
    if (stageConfigHash(st, p.seed) !== job.attempt.configHash) throw new Error(`stage "${job.stageId}": ${job.file} changed while the run was going; run again`);
    const done = await executeStage(p, st, job.attempt, {
      runDir: job.runDir, index: new Map(job.index), choice, signal, ...(job.worker !== undefined ? { worker: job.worker } : {}),
      progress: (events) => forwarding(createStageProgress('quiet', st.id, events)),
    });
    return { type: 'done', done };
  } catch (e) {
    return { type: 'error', message: (e as Error).message, exitCode: e instanceof GramrError ? e.exitCode : 1 };
  }
}

const WATCHDOG = `const { workerData } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 20);`;
new Worker(WATCHDOG, { eval: true, workerData: process.ppid }).unref();

const ac = new AbortController();
const stop = (): void => ac.abort(new Error('interrupted (Ctrl-C); run again to resume'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', () => process.exit(130));
let prepared: Promise<Prepared> | undefined;
process.on('message', (m: StagePrepareMessage | StageJobMessage | { type: 'abort' }) => {
  if (m.type === 'abort') stop();
  else if (m.type === 'prepare') {
    prepared = prepare(m);
    prepared.catch(() => {}); // reported when a stage is given
  } else {
    void runJob(m, prepared ?? Promise.reject(new Error('stage process was given a stage before its pipeline')), ac.signal).then(async (reply) => {
      await send(reply);
      process.exit(reply.type === 'done' ? 0 : 1); // explicit: native runtimes may keep handles open
    });
  }
});
