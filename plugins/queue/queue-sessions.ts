// The queue executor behind the stages' own interfaces: a VoteJudge whose votes are `vote` jobs (self-train's
// pseudo-labels) and a ProofSession whose proofs are `prove` jobs (self-train's rationales, synthesize-rationales).
// Each enqueues all of its pending pairs up front, so workers run ahead, and then hands back results in the order the
// stage asks for them.
import type { Label, PreferencePair } from '../../core/data/records.js';
import { ConfigError } from '../../core/errors.js';
import type { TaskContext } from '../../core/pipeline/task-context.js';
import type { ProofRequest, ProofResult, ProofSession } from '../../core/recipe/prover.js';
import type { JudgeInput } from '../../core/reward/pair-judge.js';
import { readModelMeta } from '../../core/recipe/model-meta.js';
import { synthesisSchema } from '../prover/prover-options.js';
import { judgeInputOf, type VoteJudge } from '../self-training/pseudo-label.js';
import type { VoteSettings } from '../self-training/vote-judge.js';
import type { QueueExecutorOptions } from './executor-options.js';
import type { ProvePayload, ProveResult, VotePayload, VoteResult } from './job-model.js';
import type { QueueRunStats } from './queue-executor.js';

/** A queued VoteJudge or ProofSession: `stats` says what the run found stored and enqueued. */
export interface QueuedRun {
  /** What the run did before waiting. */
  readonly stats: QueueRunStats;
  /** Closes the connections. */
  dispose(): void;
}

/**
 * Self-training votes through the queue: `todo` (the pairs still to label) become `vote` jobs for the GRM at `grmPath`
 * with `settings` and `seed`; `judge(chunk)` returns the workers' verdicts of the chunk's pairs (all must be in `todo`).
 */
export async function queuedVoteJudge(q: QueueExecutorOptions, grmPath: string, settings: VoteSettings, seed: number, todo: readonly JudgeInput[],
  where: string): Promise<QueuedRun & { judge: VoteJudge }> {
  const [{ jobSpec, itemKey, modelIdentity }, { QueueRun }] = await Promise.all([import('./job-model.js'), import('./queue-executor.js')]);
  const ref = { model: grmPath, modelSha: await modelIdentity(grmPath) };
  const spec = jobSpec('vote', ref, { settings, seed });
  const keyOf = (p: JudgeInput): string => itemKey(p.id, judgeInputOf(p));
  const items = todo.map((p) => ({ key: keyOf(p), pairId: p.id, payload: { ...ref, pair: judgeInputOf(p), settings, seed } satisfies VotePayload }));
  const run = await QueueRun.start<VoteResult>(q, 'vote', spec, items, `${where}: pseudo-labels`);
  return {
    stats: run.stats,
    judge: { judge: (pairs, ctx: TaskContext) => run.collect(pairs.map(keyOf), ctx.signal) },
    dispose: () => { void run.close().catch(() => undefined); },
  };
}

/**
 * Proofs through the queue: `todo` (the requests still to prove) become `prove` jobs for the prover at `proverPath`
 * with `synthesis` (its seed filled in); `prove(chunk)` returns the workers' results of the chunk's requests. Only the
 * sft-prover kind runs in workers; another kind (from the model's gramr.json) is a ConfigError.
 */
export async function queuedProofSession(q: QueueExecutorOptions, proverPath: string, synthesis: Record<string, unknown> & { seed: number },
  todo: readonly ProofRequest[], where: string): Promise<QueuedRun & ProofSession> {
  const meta = await readModelMeta(proverPath);
  if (meta && meta.role !== 'prover') throw new ConfigError(`${where}: ${proverPath} is a ${meta.role} (gramr.json role), not a prover`);
  const kind = meta?.prover?.kind ?? 'sft-prover';
  if (kind !== 'sft-prover') {
    throw new ConfigError(`${where}: executor queue: workers run the prover kind sft-prover only; ${proverPath} is a ${kind} prover (use executor: {kind: local})`);
  }
  const parsed = synthesisSchema.safeParse(synthesis);
  if (!parsed.success) throw new ConfigError(`${where}: synthesis settings are invalid: ${parsed.error.message}`);
  const settings = { ...parsed.data, seed: synthesis.seed };
  const [{ jobSpec, itemKey, modelIdentity }, { QueueRun }] = await Promise.all([import('./job-model.js'), import('./queue-executor.js')]);
  const ref = { model: proverPath, modelSha: await modelIdentity(proverPath) };
  const prover = { kind, trained: meta?.prover?.options ?? {} };
  const spec = jobSpec('prove', ref, { prover, synthesis: settings });
  const keyOf = (r: { pair: PreferencePair; label: Label }): string => itemKey(r.pair.id, { pair: r.pair, label: r.label });
  const items = todo.map((r) => ({ key: keyOf(r), pairId: r.pair.id, payload: { ...ref, request: { pair: r.pair, label: r.label }, prover, synthesis: settings } satisfies ProvePayload }));
  const run = await QueueRun.start<ProveResult>(q, 'prove', spec, items, `${where}: proofs`);
  return {
    stats: run.stats,
    prove: (requests: readonly ProofRequest[], ctx: TaskContext): Promise<ProofResult[]> => run.collect(requests.map(keyOf), ctx.signal),
    dispose: () => { void run.close().catch(() => undefined); },
  };
}
