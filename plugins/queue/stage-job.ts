// The `run-stage` job: a whole pipeline stage handed to a `gramr work` worker (placement kind queue). It names only
// paths and ids: the pipeline file and --set overrides, the run folder, the stage, the attempt the runner planned, the
// outputs of completed stages and the token of the runner's run lock. A worker checks it strictly (unknown keys and
// plugin overrides refused; paths under its --pipelines folders; the run folder holding the runner's lock and the
// planned attempt: proof that both machines see the same files) before it runs the stage. Pure: no bullmq here.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ARTIFACT_NAME } from '../../core/pipeline/artifact-flow.js';
import { canonicalJson, sha256 } from '../../core/pipeline/hash.js';
import { parseKeyPath } from '../../core/pipeline/overrides.js';
import type { PlacedStageJob } from '../../core/pipeline/placement.js';
import { JobRefused } from './job-check.js';

/** The BullMQ job name of whole-stage jobs. */
export const RUN_STAGE = 'run-stage';

/** A run-stage job as queued: the placed stage plus how often its worker must show it is alive. */
export interface StageJob extends PlacedStageJob {
  /** Always `run-stage`. */
  kind: typeof RUN_STAGE;
  /** The worker reports progress (a heartbeat) at least this often, in ms. */
  heartbeatMs: number;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits (sha256)');
const absolute = z.string().min(1).max(4096).refine((p) => path.isAbsolute(p) && path.normalize(p) === p, 'must be a normalized absolute path');
const inRun = z.string().min(1).max(4096).refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), 'must be a path inside the run folder');
const id = z.string().max(200).regex(ARTIFACT_NAME, 'must be one path segment (letters, digits, ".", "_", "-")');

/** The strict schema of a run-stage job as it sits in Redis. */
export const stageJobSchema = z.object({
  kind: z.literal(RUN_STAGE),
  file: absolute,
  sets: z.array(z.string().max(10_000)).max(256),
  runDir: absolute,
  stageId: id,
  attempt: z.object({ configHash: hex64, inputs: z.record(id, z.string().min(1).max(200)) }).strict(),
  index: z.array(z.tuple([id, z.object({
    runPath: inRun,
    out: z.object({ kind: z.enum(['records', 'model', 'report', 'files']), path: inRun, hash: hex64, records: z.number().int().min(0).optional() }).strict(),
  }).strict()])).max(10_000),
  lockToken: z.string().regex(/^[0-9a-z]{1,32}$/, 'must be a run lock token'),
  heartbeatMs: z.number().int().min(50).max(600_000),
}).strict();

/** The job id of a placed stage: one per run lock, run folder, stage and attempt (adding it twice does nothing). */
export function stageJobId(job: Pick<StageJob, 'runDir' | 'stageId' | 'attempt' | 'lockToken'>): string {
  return `${RUN_STAGE}-${sha256(canonicalJson({ runDir: job.runDir, stageId: job.stageId, attempt: job.attempt, lockToken: job.lockToken })).slice(0, 24)}`;
}

/** The job in `data` after the checks that need no disk; a JobRefused naming the field otherwise. */
export function checkStageJob(data: unknown): StageJob {
  const parsed = stageJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(the job)';
    throw new JobRefused(`malformed run-stage job: ${field}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : ''}`);
  }
  for (const set of parsed.data.sets) {
    const eq = set.indexOf('=');
    let first: string | number | undefined;
    try {
      first = eq > 0 ? parseKeyPath(set.slice(0, eq))[0] : undefined;
    } catch (e) {
      throw new JobRefused(`run-stage job: sets: ${(e as Error).message}`);
    }
    if (first === undefined) throw new JobRefused(`run-stage job: sets: "${set}" is not a KEY=VALUE override`);
    if (first === 'plugins') throw new JobRefused(`run-stage job: sets: "${set.slice(0, eq)}" overrides the plugins; a worker loads only the plugins the pipeline file names`);
  }
  return parsed.data as StageJob;
}

/** The token of the lock in `runDir`, or undefined when there is none (or it is unreadable). */
export async function lockTokenOf(runDir: string): Promise<string | undefined> {
  try {
    const holder = JSON.parse(await fs.readFile(path.join(runDir, '.lock'), 'utf8')) as { token?: unknown };
    return typeof holder.token === 'string' ? holder.token : undefined;
  } catch {
    return undefined;
  }
}

const under = (real: string, root: string): boolean => real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Refuses the job unless this worker may and can run it: the pipeline file and the run folder lie (links followed)
 * under one of `roots`, the file is readable, the run folder holds the lock of the run that queued the job, and the
 * stage folder holds the attempt that run planned.
 */
export async function checkStagePlace(job: StageJob, roots: readonly string[]): Promise<void> {
  if (roots.length === 0) throw new JobRefused(`this worker runs no whole stages (start it with gramr work --pipelines DIR)`);
  for (const [what, p] of [['pipeline file', job.file], ['run folder', job.runDir]] as const) {
    const real = await fs.realpath(p).catch((e: NodeJS.ErrnoException) => {
      throw new JobRefused(`cannot read the ${what} ${p} (${e.code ?? e.message}); workers must see the runner's files at the same paths (shared storage)`);
    });
    if (!roots.some((r) => under(real, r))) throw new JobRefused(`the ${what} ${p} is outside the folders this worker runs pipelines from (${roots.join(', ')}; gramr work --pipelines DIR)`);
  }
  await fs.access(job.file, fs.constants.R_OK).catch((e: NodeJS.ErrnoException) => {
    throw new JobRefused(`cannot read the pipeline file ${job.file} (${e.code ?? e.message})`);
  });
  if ((await lockTokenOf(job.runDir)) !== job.lockToken) {
    throw new JobRefused(`the run folder ${job.runDir} is not locked by the run that queued this stage (that run ended, or this worker does not see its files); nothing was done`);
  }
  let attempt: unknown;
  try {
    attempt = JSON.parse(await fs.readFile(path.join(job.runDir, job.stageId, 'attempt.json'), 'utf8'));
  } catch (e) {
    throw new JobRefused(`cannot read ${path.join(job.runDir, job.stageId, 'attempt.json')} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); workers must see the run folder at the same path`);
  }
  if (canonicalJson(attempt) !== canonicalJson(job.attempt)) {
    throw new JobRefused(`${path.join(job.runDir, job.stageId, 'attempt.json')} is not the attempt the runner planned; nothing was done`);
  }
}
