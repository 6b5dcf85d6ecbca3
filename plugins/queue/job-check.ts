// What a worker checks before it runs a job taken from Redis: the job has exactly the fields of its kind (strict zod,
// unknown keys refused, the model's content sha required, settings in range); its job spec and item key are the ones
// its own payload hashes to, so a job can never write into another spec's or another pair's results; and its model
// path lies under one of the folders the worker was started with (`gramr work --models DIR`).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { synthesisSchema } from '../prover/prover-options.js';
import { itemKey, jobSpec, type JobKind, type LabelJob } from './job-model.js';

/** A job the worker must not retry (malformed, forged, changed model): BullMQ's UnrecoverableError is made from it. */
export class JobRefused extends Error {}

const text = z.string();
const ref = {
  model: z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path'),
  modelSha: z.string().regex(/^[0-9a-f]{64}$/, 'must be the 64 hex digits of the model folder\'s content sha256'),
};
const head = {
  pairId: z.string().min(1),
  key: z.string().min(1),
  spec: z.string().regex(/^[0-9a-f]{24}$/, 'must be 24 hex digits (jobSpec)'),
};
const pairSchema = z.object({
  id: text, prompt: text, a: text, b: text, label: z.enum(['A', 'B', 'tie']).optional(), instruction: text.optional(),
  source: text.optional(), meta: z.record(z.string(), z.unknown()).optional(),
}).strict();
const voteSettingsSchema = z.object({
  votes: z.number().int().min(1).max(1024), temperature: z.number().min(0), topP: z.number().gt(0).max(1).optional(),
  topK: z.number().int().min(1).optional(), maxTokens: z.number().int().min(1), position: z.enum(['none', 'random', 'both']),
  modelBatchSize: z.number().int().min(1).max(1024),
}).strict();

/** The strict schema of a job as it sits in Redis. */
export const labelJobSchema = z.discriminatedUnion('kind', [
  z.object({
    ...head, kind: z.literal('judge'),
    payload: z.object({ ...ref, pair: z.object({ prompt: text, a: text, b: text }).strict(), batchSize: z.number().int().min(1).max(1024).optional() }).strict(),
  }).strict(),
  z.object({
    ...head, kind: z.literal('vote'),
    payload: z.object({ ...ref, pair: pairSchema.omit({ label: true, source: true, meta: true }), settings: voteSettingsSchema, seed: z.number().int() }).strict(),
  }).strict(),
  z.object({
    ...head, kind: z.literal('prove'),
    payload: z.object({
      ...ref, request: z.object({ pair: pairSchema, label: z.enum(['A', 'B']) }).strict(),
      prover: z.object({ kind: z.literal('sft-prover'), trained: z.record(z.string(), z.unknown()) }).strict(),
      synthesis: synthesisSchema.extend({ seed: z.number().int() }).strict(),
    }).strict(),
  }).strict(),
]);

/** The settings a kind's job spec hashes besides the model (as the stages compute it). */
function specSettings(job: LabelJob): unknown {
  if (job.kind === 'judge') return { batchSize: job.payload.batchSize };
  if (job.kind === 'vote') return { settings: job.payload.settings, seed: job.payload.seed };
  return { prover: job.payload.prover, synthesis: job.payload.synthesis };
}

/** What the item key hashes: what the job reads of its pair. */
function keyContent(job: LabelJob): { id: string | undefined; content: unknown } {
  if (job.kind === 'judge') return { id: undefined, content: job.payload.pair };
  if (job.kind === 'vote') return { id: job.payload.pair.id, content: job.payload.pair };
  return { id: job.payload.request.pair.id, content: { pair: job.payload.request.pair, label: job.payload.request.label } };
}

/** The job in `data` after every check that needs no disk (schema, spec, key); a JobRefused naming the field otherwise. */
export function checkJob(data: unknown): LabelJob {
  const parsed = labelJobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(the job)';
    throw new JobRefused(`malformed job: ${field}: ${issue.message}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : ''}`);
  }
  const job = parsed.data as LabelJob;
  const spec = jobSpec(job.kind as JobKind, job.payload, specSettings(job));
  if (spec !== job.spec) {
    throw new JobRefused(`the job names spec ${job.spec} but its model, content sha and settings hash to ${spec}; a job can only write to its own spec's results`);
  }
  const { id, content } = keyContent(job);
  if (id !== undefined && id !== job.pairId) throw new JobRefused(`the job names pair "${job.pairId}" but its payload holds pair "${id}"`);
  const key = itemKey(job.pairId, content);
  if (key !== job.key) throw new JobRefused(`the job names item key ${job.key} but its pair content hashes to ${key}; a job can only write its own pair's result`);
  return job;
}

/** The real paths of the folders given with `option` (default --models; each must exist and be a folder). */
export async function modelRoots(dirs: readonly string[], option = '--models'): Promise<string[]> {
  return Promise.all(dirs.map(async (d) => {
    const real = await fs.realpath(d).catch(() => { throw new Error(`${option} ${d}: no such folder`); });
    if (!(await fs.stat(real)).isDirectory()) throw new Error(`${option} ${d}: not a folder`);
    return real;
  }));
}

/** Refuses a model path that does not resolve (links followed) to a place under one of `roots`. */
export async function checkModelPath(model: string, roots: readonly string[]): Promise<void> {
  if (roots.length === 0) throw new JobRefused(`this worker opens no models (start it with gramr work --models DIR); the job names ${model}`);
  const real = await fs.realpath(model).catch(() => { throw new JobRefused(`the model ${model} does not exist on this worker`); });
  if (!roots.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep))) {
    throw new JobRefused(`the model ${model} is outside the folders this worker opens models from (${roots.join(', ')}; gramr work --models DIR)`);
  }
}
