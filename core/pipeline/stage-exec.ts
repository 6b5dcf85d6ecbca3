// Running one stage, the same way in the runner's process and in a forked stage process: decide whether it is
// complete (skip), keep or clear the folder of an interrupted attempt (resume), run it with its artifacts, commit
// its outputs, hash them and write the manifest last.
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GramrError, WorkError } from '../errors.js';
import type { DataSource } from '../data/data-source.js';
import type { BackendChoice } from './backend-choice.js';
import { EventLog } from './event-log.js';
import { canonicalJson, hashFile, hashPath, sha256 } from './hash.js';
import type { Pipeline, PlannedStage } from './load-pipeline.js';
import { readManifest, type ManifestOutput, type StageManifest } from './manifest.js';
import type { StageProgress } from './progress.js';
import { StageArtifacts, type OutputIndex } from './artifacts.js';
import { packageVersions } from './versions.js';
import { writeJsonAtomic } from '../io/atomic-write.js';

/** What identifies an attempt of a stage: what it computes and the hashes of its inputs. */
export interface Attempt {
  /** See stageConfigHash. */
  configHash: string;
  /** Input artifact name -> content hash. */
  inputs: Record<string, string>;
}

/** What happened to one stage. */
export interface StageOutcome {
  /** Stage id. */
  id: string;
  /** `ran`, `skipped` (complete with unchanged inputs), `failed`, or `not-run` (an input's stage failed, or the run stopped). */
  status: 'ran' | 'skipped' | 'failed' | 'not-run';
  /** Wall time in ms (of the run that produced the outputs, for skipped stages; 0 when not run). */
  ms: number;
  /** Headline metrics. */
  metrics: Record<string, number>;
  /** One-line summary (the error, for a failed stage). */
  summary?: string;
  /** The `gramr work` worker (`host:pid`) that ran it, for a stage placed on a queue. */
  worker?: string;
}

/** A finished stage: its outcome and the outputs its manifest records. */
export interface StageDone {
  /** Outcome for the summary. */
  outcome: StageOutcome;
  /** Outputs by artifact name. */
  outputs: Record<string, ManifestOutput>;
}

/**
 * The hash of what a stage computes: its kind, its options without the execution-only keys, and the seed. A stage
 * whose hash and inputs are unchanged is skipped when complete and resumed when interrupted.
 */
export function stageConfigHash(st: Pick<PlannedStage, 'kind' | 'options' | 'executionKeys'>, seed: number): string {
  const options = Object.fromEntries(Object.entries(st.options as Record<string, unknown>).filter(([k]) => !st.executionKeys.includes(k)));
  return sha256(canonicalJson({ kind: st.kind, options, seed }));
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
 * Decide what to do with a stage whose inputs are ready: skip it (its manifest matches: returned as `done`), or
 * prepare its folder for a run (kept when an interrupted attempt had the same config and inputs).
 */
export async function planStage(p: Pipeline, st: PlannedStage, runDir: string, index: OutputIndex, force: boolean): Promise<{ attempt: Attempt; done?: StageDone }> {
  const stageDir = path.join(runDir, st.id);
  const inputs: Record<string, string> = {};
  for (const name of st.inputs) inputs[name] = await inputHash(p, index, name);
  const attempt = { configHash: stageConfigHash(st, p.seed), inputs };
  const prev = readManifest(path.join(stageDir, 'manifest.json'));
  if (!force && prev && prev.configHash === attempt.configHash && canonicalJson(prev.inputs) === canonicalJson(inputs)) {
    new EventLog(path.join(stageDir, 'events.jsonl')).write({ type: 'stage-skip', stage: st.id, reason: 'complete; options and inputs unchanged' });
    return { attempt, done: { outcome: { id: st.id, status: 'skipped', ms: prev.timing.ms, metrics: prev.metrics, summary: prev.summary }, outputs: prev.outputs } };
  }
  await prepareStageDir(stageDir, attempt, force && prev !== undefined);
  return { attempt };
}

/** Keep the folder of an interrupted attempt with the same options and inputs (resume); otherwise start clean. */
async function prepareStageDir(stageDir: string, attempt: Attempt, forced: boolean): Promise<void> {
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

/** Everything executeStage needs besides the stage. */
export interface ExecEnv {
  /** The run folder. */
  runDir: string;
  /** Outputs of completed stages (at least this stage's inputs). */
  index: OutputIndex;
  /** The backend this process chose. */
  choice: BackendChoice;
  /** Progress sink factory for the stage (given its event log). */
  progress: (events: EventLog) => StageProgress;
  /** Cancels the stage. */
  signal: AbortSignal;
  /** The worker running the stage for a placed stage (`host:pid`), recorded in the manifest; absent when run by the runner. */
  worker?: string;
}

/** Run a planned stage, commit its outputs and write its manifest. Throws GramrError when the stage fails. */
export async function executeStage(p: Pipeline, st: PlannedStage, attempt: Attempt, env: ExecEnv): Promise<StageDone> {
  const stageDir = path.join(env.runDir, st.id);
  const events = new EventLog(path.join(stageDir, 'events.jsonl'));
  const backend = { name: env.choice.backend.name, chain: env.choice.chain };
  const started = new Date();
  const progress = env.progress(events);
  const run = { name: p.name, dir: env.runDir, file: p.file, config: p.config, backendChain: backend.chain };
  const ctx = { signal: env.signal, progress, seed: p.seed, stageId: st.id, dir: stageDir, baseDir: p.baseDir, backend: async () => env.choice.backend, run };
  const artifacts = new StageArtifacts(p, env.index, env.runDir, stageDir, st.outputs, ctx);
  events.write({ type: 'stage-start', stage: st.id, kind: st.kind, configHash: attempt.configHash, backend: backend.name, ...(env.worker !== undefined ? { worker: env.worker } : {}) });
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
  const outputs = await commitOutputs(st, stageDir, env.runDir, artifacts);
  const end = new Date();
  const manifest: StageManifest = {
    status: 'complete', id: st.id, kind: st.kind, configHash: attempt.configHash, options: st.options, inputs: attempt.inputs,
    outputs, seed: p.seed, backend, versions: packageVersions(),
    timing: { start: started.toISOString(), end: end.toISOString(), ms: end.getTime() - started.getTime() },
    metrics: result.metrics, summary: result.summary, ...(env.worker !== undefined ? { worker: env.worker } : {}),
  };
  await writeJsonAtomic(path.join(stageDir, 'manifest.json'), manifest);
  await fs.rm(path.join(stageDir, 'attempt.json'), { force: true });
  events.write({ type: 'stage-end', stage: st.id, ms: manifest.timing.ms, metrics: result.metrics });
  return { outcome: { id: st.id, status: 'ran', ms: manifest.timing.ms, metrics: result.metrics, summary: result.summary, ...(env.worker !== undefined ? { worker: env.worker } : {}) }, outputs };
}

async function commitOutputs(st: PlannedStage, stageDir: string, runDir: string, artifacts: StageArtifacts): Promise<Record<string, ManifestOutput>> {
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
  return outputs;
}
