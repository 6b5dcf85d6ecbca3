// Runs a validated pipeline as a graph: a stage starts as soon as the stages writing its inputs are complete, up to
// `jobs` at once (jobs 1: in this process, in file order; more: each stage in a child process of its own). Complete
// stages with unchanged options and inputs are skipped, interrupted ones resume (stage-exec.ts). A failed stage stops
// the stages that depend on it while independent ones finish. A stage with a placement (placement.ts) runs wherever its
// StagePlacement kind puts it, counted among the `jobs` like a local one. The run folder is locked throughout (run-lock.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GramrError, WorkError } from '../errors.js';
import { chooseBackend, type BackendChoice } from './backend-choice.js';
import type { Pipeline, PlannedStage } from './load-pipeline.js';
import { createProgressBoard, type EventTee, type ProgressBoard, type ProgressMode } from './progress.js';
import type { OutputIndex } from './artifacts.js';
import { acquireRunLock, type RunLock } from './run-lock.js';
import { buildGraph, criticalPath, type GraphNode } from './pipeline-graph.js';
import { executeStage, planStage, type Attempt, type StageDone, type StageOutcome } from './stage-exec.js';
import { StageProcessPool } from './stage-process.js';
import type { StagePlacement } from './placement.js';

export { stageConfigHash, type StageOutcome } from './stage-exec.js';

/** Runner options. */
export interface RunOptions {
  /** Folder holding run folders (default `runs` in the current directory). */
  runsDir?: string;
  /** Progress display. */
  progress: ProgressMode;
  /** Receives every JSON event of the run (stage start, skip, end, failure, progress, log), whatever the display. */
  events?: EventTee;
  /** Re-run every stage even if complete. */
  force?: boolean;
  /** Cancels the run (Ctrl-C). */
  signal?: AbortSignal;
  /** Stages at once: 1 (default) runs them in this process one after another; more forks one process per stage. */
  jobs?: number;
}

/** The result of a run. */
export interface RunResult {
  /** The run folder. */
  runDir: string;
  /** The backend choice. */
  backend: { name: string; chain: string };
  /** Per stage, in file order. */
  stages: StageOutcome[];
  /** Stages allowed at once. */
  jobs: number;
  /** Wall time of the whole run in ms. */
  wallMs: number;
  /** Sum of the wall times of the stages that ran now. */
  stageMs: number;
  /** The longest chain of dependent stages (by the time they took now) and its length in ms. */
  criticalPath: { path: string[]; ms: number };
}

const failedRuns = new WeakMap<object, RunResult>();

/** The result of the run that threw `e` (failed or interrupted stages), so the CLI can print its summary. */
export function runResultOf(e: unknown): RunResult | undefined {
  return e && typeof e === 'object' ? failedRuns.get(e) : undefined;
}

/**
 * Run the pipeline. Holds the run folder's lock throughout: a second run on the same folder is refused
 * (RunFolderBusyError, exit 3). When stages fail, throws the first failure's error (its message lists the failed
 * and not-run stages; runResultOf gives the whole result); completed stages stay complete.
 */
export async function runPipeline(p: Pipeline, opts: RunOptions): Promise<RunResult> {
  const runDir = path.resolve(opts.runsDir ?? 'runs', p.name);
  await fs.mkdir(runDir, { recursive: true });
  const lock = await acquireRunLock(runDir);
  const jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
  // Stage processes start warming up (Node, plugins, pipeline, backend) while this process chooses its backend.
  const local = p.stages.filter((s) => !s.placement).length;
  const pool = jobs > 1 && local > 0 ? new StageProcessPool(p.file, p.sets, p.basePlugins) : undefined;
  pool?.warm(Math.min(jobs, local));
  try {
    const choice = await chooseBackend(p.container, p.backendPrefer, p.backendOptions);
    const board = createProgressBoard(opts.progress, opts.events);
    try {
      const graph = new GraphRun(p, { ...opts, jobs }, runDir, choice, lock, board, pool);
      graph.say({ event: 'backend', name: choice.backend.name, chain: choice.chain }, `backend: ${choice.chain}`);
      return await graph.run();
    } finally {
      board.stop();
    }
  } finally {
    pool?.close();
    await lock.release();
  }
}

/** One run of the graph: which stages are done, running, failed or blocked. */
class GraphRun {
  private readonly graph: Map<string, GraphNode>;
  private readonly index: OutputIndex = new Map();
  private readonly outcomes = new Map<string, StageOutcome>();
  private readonly running = new Map<string, { done: Promise<void>; abort: () => void; pid?: number }>();
  private readonly failures: Error[] = [];
  private readonly jobs: number;
  private readonly signal: AbortSignal;

  constructor(private readonly p: Pipeline, private readonly opts: RunOptions, private readonly runDir: string,
    private readonly choice: BackendChoice, private readonly lock: RunLock, private readonly board: ProgressBoard,
    private readonly pool?: StageProcessPool) {
    this.graph = new Map(buildGraph(p.stages).map((n) => [n.id, n]));
    this.jobs = Math.max(1, Math.floor(opts.jobs ?? 1));
    this.signal = opts.signal ?? new AbortController().signal;
  }

  async run(): Promise<RunResult> {
    const t0 = Date.now();
    const onAbort = (): void => { for (const r of this.running.values()) r.abort(); };
    this.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (await this.startReady()) { /* skipped stages may make more stages ready */ }
        if (this.running.size === 0) break;
        await Promise.race([...this.running.values()].map((r) => r.done));
      }
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
    return this.finish(Date.now() - t0);
  }

  private status(id: string): StageOutcome['status'] | undefined {
    return this.outcomes.get(id)?.status;
  }

  /** Start (or skip) the stages that are ready, in file order; true when one was skipped or blocked. */
  private async startReady(): Promise<boolean> {
    for (const st of this.p.stages) {
      if (this.signal.aborted || this.running.size >= this.jobs) return false;
      if (this.outcomes.has(st.id) || this.running.has(st.id)) continue;
      const deps = this.graph.get(st.id)!.deps;
      if (deps.some((d) => this.status(d) === 'failed' || this.status(d) === 'not-run')) {
        this.outcomes.set(st.id, { id: st.id, status: 'not-run', ms: 0, metrics: {}, summary: 'not run: an earlier stage it needs failed' });
        return true;
      }
      if (!deps.every((d) => this.status(d) === 'ran' || this.status(d) === 'skipped')) continue;
      let planned;
      try {
        planned = await planStage(this.p, st, this.runDir, this.index, this.opts.force === true);
      } catch (e) {
        this.fail(st, e, 0);
        return true;
      }
      if (planned.done) {
        this.record(planned.done);
        this.say({ event: 'stage-skip', stage: st.id }, `${st.id}: up to date, skipped`);
        return true;
      }
      this.start(st, planned.attempt);
    }
    return false;
  }

  private start(st: PlannedStage, attempt: Attempt): void {
    const t0 = Date.now();
    const where = st.placement ? st.placement.kind : this.jobs === 1 ? 'runner' : 'own';
    this.emit({ event: 'stage-start', stage: st.id, process: where });
    let execution: { done: Promise<StageDone>; abort: () => void; pid?: number };
    if (st.placement) {
      const placement = this.p.container.get<StagePlacement>('StagePlacement', st.placement.kind);
      execution = placement.start(st.placement.options, { file: this.p.file, sets: this.p.sets, runDir: this.runDir, stageId: st.id, attempt,
        index: [...this.index], lockToken: this.lock.holder.token }, this.board.stage(st.id));
    } else if (!this.pool) {
      const ac = new AbortController();
      const signal = AbortSignal.any([this.signal, ac.signal]);
      execution = { done: executeStage(this.p, st, attempt, { runDir: this.runDir, index: this.index, choice: this.choice, signal,
        progress: (events) => this.board.stage(st.id, events) }), abort: () => ac.abort(this.signal.reason) };
    } else {
      execution = this.pool.start({ file: this.p.file, runDir: this.runDir, stageId: st.id, attempt, index: [...this.index] }, this.board.stage(st.id));
    }
    const done = execution.done.then((d) => {
      this.record(d);
      const on = d.outcome.worker !== undefined ? ` on worker ${d.outcome.worker}` : '';
      this.say({ event: 'stage-end', stage: st.id, ms: d.outcome.ms, ...(d.outcome.worker !== undefined ? { worker: d.outcome.worker } : {}) },
        `${st.id}: done in ${(d.outcome.ms / 1000).toFixed(1)}s${on}`);
    }, (e: unknown) => this.fail(st, e, Date.now() - t0)).finally(async () => {
      this.running.delete(st.id);
      await this.updateHelpers();
    });
    this.running.set(st.id, { done, abort: execution.abort, ...(execution.pid !== undefined ? { pid: execution.pid } : {}) });
    const waiting = this.p.stages.filter((s) => !s.placement && !this.outcomes.has(s.id) && !this.running.has(s.id)).length;
    this.pool?.warm(Math.min(this.jobs - this.running.size, waiting));
    void this.updateHelpers();
  }

  private async updateHelpers(): Promise<void> {
    if (!this.pool) return;
    const pids = [...this.running.values()].flatMap((r) => (r.pid !== undefined ? [r.pid] : []));
    await this.lock.setHelpers([...pids, ...this.pool.sparePids()]).catch(() => {});
  }

  private record(d: StageDone): void {
    this.outcomes.set(d.outcome.id, d.outcome);
    for (const [name, out] of Object.entries(d.outputs)) this.index.set(name, { runPath: out.path, out });
  }

  private fail(st: PlannedStage, e: unknown, ms: number): void {
    const err = e instanceof Error ? e : new Error(String(e));
    if (this.signal.aborted) {
      this.outcomes.set(st.id, { id: st.id, status: 'not-run', ms, metrics: {}, summary: 'interrupted; run again to resume' });
      return;
    }
    this.failures.push(err);
    this.outcomes.set(st.id, { id: st.id, status: 'failed', ms, metrics: {}, summary: err.message.split('\n')[0] });
    this.say({ event: 'stage-failed', stage: st.id, error: err.message }, `${st.id}: failed: ${err.message}`);
  }

  /** A JSON event: on stdout with --json, and to the events tee. */
  private emit(json: Record<string, unknown>): void {
    if (this.opts.progress === 'json') process.stdout.write(JSON.stringify(json) + '\n');
    this.opts.events?.(json);
  }

  /** Tell the user: a JSON event (stdout with --json, and the events tee), else a text line on the board. */
  say(json: Record<string, unknown>, text: string): void {
    this.emit(json);
    if (this.opts.progress !== 'json') this.board.line(text);
  }

  private finish(wallMs: number): RunResult {
    const stages = this.p.stages.map((st) => this.outcomes.get(st.id) ?? { id: st.id, status: 'not-run' as const, ms: 0, metrics: {} });
    const ran = (id: string): number => (this.status(id) === 'ran' ? this.outcomes.get(id)!.ms : 0);
    const result: RunResult = {
      runDir: this.runDir, backend: { name: this.choice.backend.name, chain: this.choice.chain }, stages, jobs: this.jobs, wallMs,
      stageMs: stages.reduce((a, s) => a + ran(s.id), 0), criticalPath: criticalPath([...this.graph.values()], ran),
    };
    const failed = stages.filter((s) => s.status === 'failed').map((s) => s.id);
    const notRun = stages.filter((s) => s.status === 'not-run').map((s) => s.id);
    if (this.signal.aborted) {
      const reason = this.signal.reason instanceof Error ? this.signal.reason.message : 'interrupted';
      const err = new GramrError(`${reason}${notRun.length ? `; not finished: ${notRun.join(', ')}` : ''}`, 130);
      failedRuns.set(err, result);
      throw err;
    }
    if (this.failures.length === 0) return result;
    const first = this.failures[0];
    const err = first instanceof GramrError ? first : new WorkError(first.message, { cause: first });
    if (failed.length > 1 || notRun.length) err.message += `\nfailed: ${failed.join(', ')}${notRun.length ? `; not run: ${notRun.join(', ')}` : ''}`;
    failedRuns.set(err, result);
    throw err;
  }
}
