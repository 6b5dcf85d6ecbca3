// A stand-in for `evaluate` in report and study tests: an outside plugin (written to a temp folder) whose stage
// writes report.json and pairs.jsonl from a compact spec — one digit per pair, the number of its two orders judged
// correctly — or, for best-of-n, the metrics and sets.jsonl given. `correct` may map seeds to specs.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, writeIn } from '../pipeline/helpers.js';

/** Write fake-eval.mjs into `dir`; a pipeline there loads it with `plugins: [./fake-eval.mjs]`. */
export function writeFakeEval(dir: string): void {
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  writeIn(dir, 'fake-eval.mjs', `import { ContainerModule, contributeKind, z, writeJsonAtomic, writeFileAtomic } from '${gramr}';
import * as path from 'node:path';
class FakeEval {
  kind = 'fake-eval';
  inputs() { return []; }
  outputs(o) { return [{ name: o.to, kind: 'report' }]; }
  async run(o, ctx) {
    const dir = ctx.artifacts.outputDir(o.to);
    const metrics = { ...o.metrics };
    const counts = { ...o.counts };
    const spec = typeof o.correct === 'string' ? o.correct : o.correct?.[String(ctx.seed)];
    if (spec !== undefined) {
      const pairs = [...spec].map((c, i) => ({ id: o.prefix + i, key: 'k' + i, gold: 'A',
        orders: [{ order: 'original', correct: Number(c) >= 1, label: Number(c) >= 1 ? 'A' : 'B' }, { order: 'swapped', correct: Number(c) === 2, label: Number(c) === 2 ? 'A' : 'B' }],
        pairCorrect: Number(c) === 2 }));
      const right = [...spec].reduce((s, c) => s + Number(c), 0);
      metrics.accuracy = right / (2 * pairs.length);
      metrics.pairAccuracy = pairs.filter((p) => p.pairCorrect).length / pairs.length;
      Object.assign(counts, { pairsLabeled: pairs.length, judgedLabeled: 2 * pairs.length });
      await writeFileAtomic(path.join(dir, 'pairs.jsonl'), pairs.map((p) => JSON.stringify(p) + '\\n').join(''));
    }
    if (o.sets) await writeFileAtomic(path.join(dir, 'sets.jsonl'), o.sets.map((s) => JSON.stringify(s) + '\\n').join(''));
    const run = o.votes ? { judge: { votes: o.votes } } : {};
    await writeJsonAtomic(path.join(dir, 'report.json'), { metrics, counts, run });
    return { metrics: { tokens_per_s: 1234 } };
  }
}
export default new ContainerModule((options) => {
  contributeKind(options, 'fake', { point: 'Stage', kind: 'fake-eval', description: 'writes report.json and pairs.jsonl',
    schema: z.object({ to: z.string(), prefix: z.string().default('p'), correct: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
      votes: z.number().optional(), metrics: z.record(z.string(), z.number()).default({}), counts: z.record(z.string(), z.number()).default({}),
      sets: z.array(z.unknown()).optional() }).strict(), impl: () => new FakeEval() });
});
`);
}
