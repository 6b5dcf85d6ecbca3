// Runs one stage in a child process of its own (child_process.fork of stage-process-main.js), so stages run side by
// side, each with its own backend instance and thread settings. The child reloads the pipeline file (same --set
// overrides), runs the stage exactly as the runner would in-process, streams progress back over IPC and reports
// its outputs; the parent turns that back into a StageDone or an error.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, GramrError, WorkError } from '../errors.js';
import type { OutputIndex } from './artifacts.js';
import type { StageProgress } from './progress.js';
import type { Attempt, StageDone } from './stage-exec.js';
import type { ProgressUpdate } from './task-context.js';

/** What the parent sends a stage process. */
export interface StageJobMessage {
  type: 'job';
  /** Pipeline file and the --set overrides it was loaded with. */
  file: string;
  sets: string[];
  /** Run folder and stage. */
  runDir: string;
  stageId: string;
  /** The attempt the parent planned (config hash, input hashes). */
  attempt: Attempt;
  /** Outputs of the completed stages. */
  index: Array<[string, OutputIndex extends Map<string, infer V> ? V : never]>;
}

/** What a stage process sends back. */
export type StageProcessMessage =
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'log'; message: string }
  | { type: 'done'; done: StageDone }
  | { type: 'error'; message: string; exitCode: number };

/** A stage running in a child process. */
export interface ForkedStage {
  /** The child's pid. */
  pid: number;
  /** Settles when the child has exited: the stage's result, or its error. */
  done: Promise<StageDone>;
  /** Ask the child to stop (it aborts the stage's signal; the stage resumes on the next run). */
  abort(): void;
}

const entry = fileURLToPath(new URL('./stage-process-main.js', import.meta.url));

/** Start `job` in a child process; progress and log lines reach `display`. */
export function forkStage(job: Omit<StageJobMessage, 'type'>, display: StageProgress): ForkedStage {
  const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  let result: { done?: StageDone; error?: GramrError } = {};
  child.on('message', (m: StageProcessMessage) => {
    if (m.type === 'progress') display.update(m.update);
    else if (m.type === 'log') display.log(m.message);
    else if (m.type === 'done') result = { done: m.done };
    else if (m.type === 'error') result = { error: m.exitCode === 2 ? new ConfigError(m.message) : new WorkError(m.message) };
  });
  const done = new Promise<StageDone>((resolve, reject) => {
    child.once('error', (e) => reject(new WorkError(`stage "${job.stageId}": could not start its process: ${e.message}`)));
    child.once('close', (code, signal) => {
      display.finish();
      if (result.done) resolve(result.done);
      else reject(result.error ?? new WorkError(`stage "${job.stageId}": its process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`));
    });
  });
  child.send({ type: 'job', ...job } satisfies StageJobMessage);
  return {
    pid: child.pid ?? -1,
    done,
    abort: () => {
      if (child.connected) child.send({ type: 'abort' });
    },
  };
}
