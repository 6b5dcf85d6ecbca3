// Runs a validated pipeline: one folder per stage under runs/<name>/, skip stages whose options and inputs
// are unchanged, resume interrupted ones (their folder is kept when options and inputs still match), commit
// outputs, and write the manifest last. Progress goes to a bar or JSON; events to <stage>/events.jsonl.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GramrError, WorkError } from '../errors.js';
import type { DataSource } from '../data/data-source.js';
import { chooseBackend, type BackendChoice } from './backend-choice.js';
import { EventLog } from './event-log.js';
import { canonicalJson, hashFile, hashPath, sha256 } from './hash.js';
import type { Pipeline, PlannedStage } from './load-pipeline.js';
import { readManifest, type ManifestOutput, type StageManifest } from './manifest.js';
import { createStageProgress, type ProgressMode } from './progress.js';
import { StageArtifacts, type OutputIndex } from './artifacts.js';
import { packageVersions } from './versions.js';
import { writeJsonAtomic } from '../io/atomic-write.js';
import { acquireRunLock } from './run-lock.js';

/** Runner options. */
export interface RunOptions {
  /** Folder holding run folders (default `runs` in the current directory). */
  runsDir?: string;
  /** Progress display. */
  progress: ProgressMode;
  /** Re-run every stage even if complete. */
  force?: boolean;
  /** Cancels the run (Ctrl-C). */
  signal?: AbortSignal;
}

/** What happened to one stage. */
export interface StageOutcome {
  /** Stage id. */
  id: string;
  /** `ran` or `skipped` (complete with unchanged inputs). */
  status: 'ran' | 'skipped';
  /** Wall time in ms (of the run that produced the outputs, for skipped stages). */
  ms: number;
  /** Headline metrics. */
  metrics: Record<string, number>;
  /** One-line summary. */
  summary?: string;
}

/** The result of a run. */
export interface RunResult {
  /** The run folder. */
  runDir: string;
  /** The backend choice. */
  backend: { name: string; chain: string };
  /** Per stage. */
  stages: StageOutcome[];
}

async function inputHash(p: Pipeline, index: OutputIndex, name: string): Promise<string> {
  const ds = p.datasets.get(name);
  if (ds) return p.container.get<DataSource>('DataSource', ds.kind).fingerprint(ds.options, p.baseDir);
  const m = p.models.get(name);
  if (m) return sha256(`${await hashPath(m.path)}|${m.tokenizer ? await hashPath(m.tokenizer) : ''}`);
  const o = index.get(name);
  if (!o) throw new WorkError(`input "${name}" has no producer`); // validation rules this out
  return o.out.hash;
}

/**
 * The hash of what a stage computes: its kind, its options without the execution-only keys, and the seed. A stage
 * whose hash and inputs are unchanged is skipped when complete and resumed when interrupted.
 */
export function stageConfigHash(st: Pick<PlannedStage, 'kind' | 'options' | 'executionKeys'>, seed: number): string {
  const options = Object.fromEntries(Object.entries(st.options as Record<string, unknown>).filter(([k]) => !st.executionKeys.includes(k)));
  return sha256(canonicalJson({ kind: st.kind, options, seed }));
}

/**
 * Run the pipeline. Throws GramrError (exit 1) when a stage fails; completed stages stay complete. Holds the run
 * folder's lock throughout: a second run on the same folder is refused (RunFolderBusyError, exit 3).
 */
export async function runPipeline(p: Pipeline, opts: RunOptions): Promise<RunResult> {
  const runDir = path.resolve(opts.runsDir ?? 'runs', p.name);
  const choice: BackendChoice = await chooseBackend(p.container, p.backendPrefer, p.backendOptions);
  await fs.mkdir(runDir, { recursive: true });
  const lock = await acquireRunLock(runDir);
  try {
    return await runLocked(p, opts, runDir, choice);
  } finally {
    await lock.release();
  }
}

async function runLocked(p: Pipeline, opts: RunOptions, runDir: string, choice: BackendChoice): Promise<RunResult> {
  const backend = { name: choice.backend.name, chain: choice.chain };
  const index: OutputIndex = new Map();
  const outcomes: StageOutcome[] = [];
  const signal = opts.signal ?? new AbortController().signal;

  for (const st of p.stages) {
    signal.throwIfAborted();
    const stageDir = path.join(runDir, st.id);
    const events = new EventLog(path.join(stageDir, 'events.jsonl'));
    const configHash = stageConfigHash(st, p.seed);
    const inputs: Record<string, string> = {};
    for (const name of st.inputs) inputs[name] = await inputHash(p, index, name);
    const attempt = { configHash, inputs };
    const manifestFile = path.join(stageDir, 'manifest.json');
    const prev = readManifest(manifestFile);
    if (!opts.force && prev && prev.configHash === configHash && canonicalJson(prev.inputs) === canonicalJson(inputs)) {
      for (const [name, out] of Object.entries(prev.outputs)) index.set(name, { runPath: out.path, out });
      events.write({ type: 'stage-skip', stage: st.id, reason: 'complete; options and inputs unchanged' });
      outcomes.push({ id: st.id, status: 'skipped', ms: prev.timing.ms, metrics: prev.metrics, summary: prev.summary });
      if (opts.progress !== 'quiet') report(opts.progress, { event: 'stage-skip', stage: st.id }, `${st.id}: up to date, skipped`);
      continue;
    }
    await prepareStageDir(stageDir, attempt, opts.force === true && prev !== undefined);
    const outcome = await runStage(p, st, stageDir, runDir, index, events, attempt, backend, choice, opts, signal);
    outcomes.push(outcome);
  }
  return { runDir, backend, stages: outcomes };
}

function report(mode: ProgressMode, json: Record<string, unknown>, text: string): void {
  if (mode === 'json') process.stdout.write(JSON.stringify(json) + '\n');
  else process.stderr.write(text + '\n');
}

/** Keep the folder of an interrupted attempt with the same options and inputs (resume); otherwise start clean. */
async function prepareStageDir(stageDir: string, attempt: object, forced: boolean): Promise<void> {
  const attemptFile = path.join(stageDir, 'attempt.json');
  let same = false;
  if (!forced && existsSync(attemptFile)) {
    try {
      same = canonicalJson(JSON.parse(readFileSync(attemptFile, 'utf8'))) === canonicalJson(attempt);
    } catch {
      same = false;
    }
  }
  if (!same) await fs.rm(stageDir, { recursive: true, force: true });
  await fs.mkdir(stageDir, { recursive: true });
  await writeJsonAtomic(attemptFile, attempt);
}

async function runStage(p: Pipeline, st: PlannedStage, stageDir: string, runDir: string, index: OutputIndex, events: EventLog,
  attempt: { configHash: string; inputs: Record<string, string> }, backend: { name: string; chain: string }, choice: BackendChoice,
  opts: RunOptions, signal: AbortSignal): Promise<StageOutcome> {
  const started = new Date();
  const progress = createStageProgress(opts.progress, st.id, events);
  const run = { name: p.name, dir: runDir, file: p.file, config: p.config, backendChain: backend.chain };
  const ctx = { signal, progress, seed: p.seed, stageId: st.id, dir: stageDir, baseDir: p.baseDir, backend: async () => choice.backend, run };
  const artifacts = new StageArtifacts(p, index, runDir, stageDir, st.outputs, ctx);
  events.write({ type: 'stage-start', stage: st.id, kind: st.kind, configHash: attempt.configHash, backend: backend.name });
  let result;
  try {
    result = await st.impl.run(st.options, { ...ctx, artifacts });
  } catch (e) {
    for (const w of artifacts.writers.values()) await w.abandon().catch(() => {});
    progress.finish();
    events.write({ type: 'stage-error', stage: st.id, error: (e as Error).message });
    if (e instanceof GramrError) throw e;
    throw new WorkError(`stage "${st.id}" (${st.kind}) failed: ${(e as Error).message}`, { cause: e });
  }
  progress.finish();
  const outputs: Record<string, ManifestOutput> = {};
  for (const o of st.outputs) {
    const rel = path.relative(runDir, path.join(stageDir, o.kind === 'records' ? `${o.name}.jsonl` : o.name));
    const abs = path.join(runDir, rel);
    let records: number | undefined;
    if (o.kind === 'records') {
      const w = artifacts.writers.get(o.name) ?? (await artifacts.recordWriter(o.name));
      records = await w.commit();
    }
    if (!existsSync(abs)) throw new WorkError(`stage "${st.id}" finished without writing its output "${o.name}"`);
    const hash = o.kind === 'records' ? await hashFile(abs) : await hashPath(abs);
    outputs[o.name] = { kind: o.kind, path: rel, hash, ...(records !== undefined ? { records } : {}) };
  }
  const end = new Date();
  const manifest: StageManifest = {
    status: 'complete', id: st.id, kind: st.kind, configHash: attempt.configHash, options: st.options, inputs: attempt.inputs,
    outputs, seed: p.seed, backend, versions: packageVersions(),
    timing: { start: started.toISOString(), end: end.toISOString(), ms: end.getTime() - started.getTime() },
    metrics: result.metrics, summary: result.summary,
  };
  await writeJsonAtomic(path.join(stageDir, 'manifest.json'), manifest);
  await fs.rm(path.join(stageDir, 'attempt.json'), { force: true });
  for (const [name, out] of Object.entries(outputs)) index.set(name, { runPath: out.path, out });
  events.write({ type: 'stage-end', stage: st.id, ms: manifest.timing.ms, metrics: result.metrics });
  return { id: st.id, status: 'ran', ms: manifest.timing.ms, metrics: result.metrics, summary: result.summary };
}
