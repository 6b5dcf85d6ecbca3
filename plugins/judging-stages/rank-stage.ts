// Stage `rank`: a model (as the judge) + candidate sets ({id?, prompt, candidates}) + a Ranker kind -> one ranking
// record per set (best, order, comparisons, matches). Resumable: sets are written in input order, so a re-run
// skips the sets an interrupted run already wrote.
import { inject, injectable } from 'inversify';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';
import { asRankInput } from '../../core/reward/rank-input.js';
import { rankSets } from '../../core/reward/rank-sets.js';
import type { Ranker } from '../../core/reward/ranker.js';
import { type KindLookup } from '../../core/di/kind-lookup.js';
import { openStageJudge, readInputs } from './open-judge.js';
import { inputsOf, type RankOptions } from './options.js';
import { JudgeOpenerId, KindLookupId } from '../../core/di/identifiers.js';
import type { JudgeOpener } from '../../core/reward/judge-opener.js';

/** The `rank` stage. */
@injectable()
export class RankStage implements Stage<RankOptions> {
  readonly kind = 'rank';

  constructor(@inject(KindLookupId) private readonly lookup: KindLookup, @inject(JudgeOpenerId) private readonly judges: JudgeOpener) {}

  inputs(o: RankOptions): string[] {
    return [o.model, ...inputsOf(o.from)];
  }

  outputs(o: RankOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'records' }];
  }

  async run(o: RankOptions, ctx: StageContext): Promise<StageResult> {
    const { impl: ranker } = this.lookup.get<Ranker>('Ranker', o.method, {}, `stage "${ctx.stageId}" (rank): method`);
    const sets = (await readInputs(o.from, o.limit, ctx)).map((r, i) => asRankInput(r, i, `stage "${ctx.stageId}" (rank) input ${inputsOf(o.from).join('+')}`));
    const w = await ctx.artifacts.recordWriter(o.to);
    const resumed = w.count;
    const todo = sets.slice(resumed);
    let comparisons = 0, rounds = 0;
    if (todo.length > 0) {
      // The ranker decides the orders; the judge judges each pair as given.
      const { judge, dispose } = await openStageJudge(this.judges, o, { ...o.judge, position: 'none' }, ctx);
      try {
        await rankSets(todo, ranker, judge.asJudge(), { position: o.judge.position, pairsPerCall: o.pairsPerCall, concurrency: o.concurrency }, ctx, async (done) => {
          for (const r of done) { await w.append(r); comparisons += r.comparisons; rounds += r.rounds; }
        });
      } finally {
        dispose();
      }
    }
    return {
      metrics: { sets: sets.length, resumedAfter: resumed, ranked: todo.length, ...(todo.length ? { meanComparisons: comparisons / todo.length, meanRounds: rounds / todo.length } : {}) },
      summary: `${sets.length} candidate sets ranked by ${o.method}${resumed ? ` (resumed after ${resumed})` : ''}`,
    };
  }
}
