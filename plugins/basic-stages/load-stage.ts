// Stage `load`: reads a dataset (any DataSource kind declared in the pipeline) and writes its records as a
// normalized JSONL artifact. Resumable: after an interruption it skips the records already written.
import { injectable } from 'inversify';
import { z } from 'zod';
import type { OutputDecl, Stage, StageContext, StageResult } from '../../core/pipeline/stage.js';

/** Options of `load`. */
export const loadSchema = z.object({
  from: z.string().describe('dataset (or earlier records artifact) to read'),
  to: z.string().describe('name of the records artifact to write'),
  limit: z.number().int().positive().optional().describe('stop after this many records'),
}).strict();
type LoadOptions = z.infer<typeof loadSchema>;

@injectable()
export class LoadStage implements Stage<LoadOptions> {
  readonly kind = 'load';
  inputs(o: LoadOptions): string[] {
    return [o.from];
  }
  outputs(o: LoadOptions): OutputDecl[] {
    return [{ name: o.to, kind: 'records' }];
  }
  async run(o: LoadOptions, ctx: StageContext): Promise<StageResult> {
    const w = await ctx.artifacts.recordWriter(o.to);
    const resumed = w.count;
    let seen = 0;
    for await (const r of ctx.artifacts.records(o.from)) {
      if (o.limit !== undefined && seen >= o.limit) break;
      seen++;
      if (seen <= resumed) continue; // written by the interrupted run
      ctx.signal.throwIfAborted();
      await w.append(r);
      if (seen % 500 === 0) ctx.progress.update({ done: seen, total: o.limit, unit: 'records' });
    }
    ctx.progress.update({ done: seen, total: o.limit ?? seen, unit: 'records' });
    return { metrics: { records: seen, resumedAfter: resumed }, summary: `${seen} records from ${o.from}${resumed ? ` (resumed after ${resumed})` : ''}` };
  }
}
