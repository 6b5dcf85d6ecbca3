// Runs one stage in a child process of its own (child_process.fork of stage-process-main.js), so stages run side by
// side, each with its own backend instance and thread settings. The child reloads the pipeline file (same --set
// overrides), runs the stage exactly as the runner would in-process, streams progress back over IPC and reports
// its outputs; the parent turns that back into a StageDone or an error.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PluginRef } from '../di/plugin-loader.js';
import { ConfigError, GramrError, WorkError } from '../errors.js';
import type { OutputIndex } from './artifacts.js';
import type { StageProgress } from './progress.js';
import type { Attempt, StageDone } from './stage-exec.js';
import type { ProgressUpdate } from './task-context.js';

/** The first message to a stage process: load this pipeline and choose the backend now. */
export interface StagePrepareMessage {
  type: 'prepare';
  /** Pipeline file and the --set overrides it was loaded with. */
  file: string;
  sets: string[];
  /** The application's plugins the pipeline is loaded with (Pipeline.basePlugins). */
  plugins: PluginRef[];
}

/** What the parent sends a stage process to run. */
export interface StageJobMessage {
  type: 'job';
  /** Pipeline file (checked against the prepared one). */
  file: string;
  /** Run folder and stage. */
  runDir: string;
  stageId: string;
  /** The attempt the parent planned (config hash, input hashes). */
  attempt: Attempt;
  /** Outputs of the completed stages. */
  index: Array<[string, OutputIndex extends Map<string, infer V> ? V : never]>;
  /** The `gramr work` worker running it (`host:pid`), recorded in the manifest; absent for the runner's own stages. */
  worker?: string;
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

/**
 * The stage processes of one run. Spare processes are forked ahead of need: each loads the pipeline and chooses its
 * backend right away, so a stage that becomes ready starts without waiting for Node, the plugins and the backend.
 * Every stage still gets a process of its own.
 */
export class StageProcessPool {
  private spare: ChildProcess[] = [];

  constructor(private readonly file: string, private readonly sets: string[], private readonly plugins: readonly PluginRef[]) {}

  /** Keep `n` spare processes warming up. */
  warm(n: number): void {
    this.spare = this.spare.filter(alive);
    while (this.spare.length < n) {
      const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      child.on('error', () => {}); // reported when the process is given a stage
      child.send({ type: 'prepare', file: this.file, sets: this.sets, plugins: [...this.plugins] } satisfies StagePrepareMessage);
      this.spare.push(child);
    }
  }

  /** Pids of the spare processes. */
  sparePids(): number[] {
    return this.spare.flatMap((c) => (c.pid !== undefined ? [c.pid] : []));
  }

  /** Start `job` in a spare process (forking one if none is left); progress and log lines reach `display`. */
  start(job: Omit<StageJobMessage, 'type'>, display: StageProgress): ForkedStage {
    this.spare = this.spare.filter(alive);
    if (this.spare.length === 0) this.warm(1);
    return runIn(this.spare.shift()!, job, display);
  }

  /** End the spare processes (idle, so nothing is lost). */
  close(): void {
    for (const c of this.spare) c.kill('SIGKILL');
    this.spare = [];
  }
}

const alive = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

function runIn(child: ChildProcess, job: Omit<StageJobMessage, 'type'>, display: StageProgress): ForkedStage {
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
