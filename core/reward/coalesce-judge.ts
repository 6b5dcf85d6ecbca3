// Merges Judge calls made in the same turn of the event loop into batched calls to the underlying judge
// (at most `maxBatch` pairs each), so many rankers running side by side (one per prompt) share model batches.
// Results go back to each caller in order; a failed batch rejects every caller in it.
import type { Judge, JudgeOutcome } from './evaluator.js';

interface Pending { batch: Parameters<Judge>[0]; ctx: Parameters<Judge>[1]; resolve: (o: JudgeOutcome[]) => void; reject: (e: unknown) => void }

/** A Judge that coalesces concurrent calls into underlying calls of at most `maxBatch` pairs. */
export function coalesceJudge(judge: Judge, maxBatch: number): Judge {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`coalesceJudge: maxBatch must be a positive integer, got ${maxBatch}`);
  let queue: Pending[] = [];
  let scheduled = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    const pending = queue;
    queue = [];
    const items = pending.flatMap((p, k) => p.batch.map((pair) => ({ pair, k })));
    const results: JudgeOutcome[][] = pending.map(() => []);
    try {
      for (let i = 0; i < items.length; i += maxBatch) {
        const chunk = items.slice(i, i + maxBatch);
        const out = await judge(chunk.map((c) => c.pair), pending[0]!.ctx);
        if (out.length !== chunk.length) throw new Error(`judge returned ${out.length} outcomes for ${chunk.length} pairs`);
        chunk.forEach((c, n) => results[c.k]!.push(out[n]!));
      }
      pending.forEach((p, k) => p.resolve(results[k]!));
    } catch (e) {
      for (const p of pending) p.reject(e);
    }
  };
  return (batch, ctx) => new Promise<JudgeOutcome[]>((resolve, reject) => {
    queue.push({ batch, ctx, resolve, reject });
    if (!scheduled) { scheduled = true; setImmediate(() => void flush()); }
  });
}
