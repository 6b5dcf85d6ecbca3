// What a worker does with each job kind, with the models it opens cached per (kind, path, content sha, settings):
// `judge` (judgeForModel, greedy), `vote` (the self-training PairJudge of vote-judge.ts, n sampled votes from the job's
// seed) and `prove` (the job's Prover kind, resolved through the plugin container: for sft-prover, k candidates, rules,
// scored with log π(ẑ|s,l) and log π(ẑ)). The same code
// the stages run locally, so a worker's result for a pair equals the local one. A job whose model changed on disk
// since it was queued is refused.
import type { ComputeBackend } from '../../core/tensor/backend.js';
import { silentProgress, type TaskContext } from '../../core/pipeline/task-context.js';
import type { ProofSession, Prover } from '../../core/recipe/prover.js';
import { judgeForModel } from '../grm/judge-for-model.js';
import { openVoteJudge } from '../self-training/vote-judge.js';
import type { PairJudge } from '../../core/reward/pair-judge.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';
import type { Judge } from '../../core/reward/evaluator.js';
import { JobRefused } from './job-check.js';
import { modelIdentity, type LabelJob, type ModelRef, type ProveResult, type LabelResult, type VoteResult } from './job-model.js';

/** An opened model and what uses it. */
interface Opened { judge?: Judge; voter?: PairJudge; prover?: ProofSession; dispose(): void }
interface Entry { opened: Promise<Opened>; busy: number; used: number }

/** Runs jobs on one backend with a small cache of opened models (at most `maxModels`, least recently used evicted). */
export class JobHandlers {
  private readonly cache = new Map<string, Entry>();
  private tick = 0;

  /**
   * `judges` opens the judge and vote models (the plugin container's JudgeOpener); `provers` gives the Prover of a kind
   * (the plugin container's); a kind it does not know is refused.
   */
  constructor(private readonly backend: ComputeBackend, private readonly worker: string, private readonly judges: JudgeOpener, private readonly maxModels = 3,
    private readonly provers: (kind: string) => Prover = (kind) => { throw new Error(`no prover kinds are loaded (asked for "${kind}")`); }) {}

  /** The result of `job` (without writing it anywhere). */
  async run(job: LabelJob, signal: AbortSignal): Promise<LabelResult | VoteResult | ProveResult> {
    const where = `${job.kind} job for pair "${job.pairId}"`;
    const ctx: TaskContext = { signal, progress: silentProgress, seed: 0 };
    if (job.kind === 'judge') {
      const p = job.payload;
      return this.use(where, 'judge', p, { batchSize: p.batchSize ?? 8 }, async () => {
        const j = await judgeForModel(this.judges, p.model, this.backend, { batchSize: p.batchSize ?? 8 });
        return { judge: j, dispose: () => j.dispose() };
      }, async (o) => {
        const [out] = await o.judge!([p.pair], ctx);
        if (!out) throw new Error(`${where}: the judge returned no outcome`);
        return { ...out, worker: this.worker };
      });
    }
    if (job.kind === 'vote') {
      const p = job.payload;
      return this.use(where, 'vote', p, p.settings, async () => {
        const v = await openVoteJudge(this.judges, p.model, this.backend, p.settings, where);
        return { voter: v.judge, dispose: v.dispose };
      }, async (o) => {
        const [v] = await o.voter!.judge([p.pair], { ...ctx, seed: p.seed });
        if (!v) throw new Error(`${where}: the judge returned no verdict`);
        return {
          pairId: v.pairId, label: v.label, confidence: v.confidence, noAnswer: v.noAnswer, voteTie: v.voteTie,
          judgments: v.judgments.map((j) => ({ label: j.label, confidence: j.confidence })), worker: this.worker,
        };
      });
    }
    if (job.kind === 'prove') {
      const p = job.payload;
      let prover: Prover;
      try {
        prover = this.provers(p.prover.kind);
      } catch (e) {
        throw new JobRefused(`${where}: ${(e as Error).message}`);
      }
      return this.use(where, 'prove', p, { prover: p.prover, synthesis: p.synthesis }, async () => {
        const s = await prover.open(p.model, p.prover.trained, p.synthesis, { ...ctx, seed: p.synthesis.seed, backend: async () => this.backend });
        return { prover: s, dispose: () => s.dispose() };
      }, async (o) => {
        const [r] = await o.prover!.prove([p.request], ctx);
        if (!r) throw new Error(`${where}: the prover returned no result`);
        return { ...r, worker: this.worker };
      });
    }
    throw new JobRefused(`job for pair "${(job as LabelJob).pairId}": kind "${(job as LabelJob).kind}" is not supported by this worker; supported: judge, vote, prove`);
  }

  /** Frees every cached model. */
  async dispose(): Promise<void> {
    for (const e of this.cache.values()) (await e.opened.catch(() => undefined))?.dispose();
    this.cache.clear();
  }

  // Opens (or reuses) the model of `ref` with `settings`, checks its content sha, and runs `fn` on it.
  private async use<T>(where: string, kind: string, ref: ModelRef, settings: unknown, open: () => Promise<Opened>, fn: (o: Opened) => Promise<T>): Promise<T> {
    const key = JSON.stringify([kind, ref.model, ref.modelSha, settings]);
    let e = this.cache.get(key);
    if (!e) {
      this.evict();
      const opened = (async (): Promise<Opened> => {
        const sha = await modelIdentity(ref.model);
        if (sha !== ref.modelSha) throw new JobRefused(`${where}: the model at ${ref.model} is not the one the job was queued for (content sha256 ${sha.slice(0, 12)}…, the job names ${ref.modelSha.slice(0, 12)}…); workers must see the same files`);
        return open();
      })();
      e = { opened, busy: 0, used: 0 };
      this.cache.set(key, e);
      opened.catch(() => { if (this.cache.get(key) === e) this.cache.delete(key); });
    }
    e.busy++;
    e.used = ++this.tick;
    try {
      return await fn(await e.opened);
    } finally {
      e.busy--;
    }
  }

  // Frees the least recently used idle models until there is room for one more.
  private evict(): void {
    while (this.cache.size >= this.maxModels) {
      const idle = [...this.cache.entries()].filter(([, v]) => v.busy === 0).sort((a, b) => a[1].used - b[1].used)[0];
      if (!idle) return;
      this.cache.delete(idle[0]);
      void idle[1].opened.then((o) => o.dispose(), () => undefined);
    }
  }
}
