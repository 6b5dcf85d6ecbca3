// Stage train-lm: pretrains a tiny base model on prompt -> completion documents; the held-out exact match it reports
// is recounted here from greedy generations of the published model, a model that learned the documents writes them,
// the artifact is a loadable checkpoint with gramr.json role base that train-grm can start from, and a record without
// a completion is an error naming the record and the field.
import test from 'ava';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CausalLM } from '../../core/model/causal-lm.js';
import { generate } from '../../core/model/generate.js';
import { readModelMeta } from '../../core/recipe/model-meta.js';
import { cpuBackend, tempDir } from './helpers.js';
import { pipelineText, runIn, sumExamples } from './pipeline-helpers.js';

/** Documents "d" -> "d d+1 d+2" (mod 10): a map a tiny model learns; held-out documents are other draws of it. */
function docs(n: number, from: number): Array<{ id: string; prompt: string; completion: string }> {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i, d = (k * 7) % 10;
    return { id: `d${k}`, prompt: `${d}\n`, completion: `${d} ${(d + 1) % 10} ${(d + 2) % 10}` };
  });
}
const scratch = '{ scratch: { hiddenSize: 32, layers: 2, heads: 2, intermediate: 64, maxPositions: 64, ropeTheta: 20 } }';

test('train-lm learns its documents, reports held-out exact match as its own greedy generations say, and a GRM can start from it', async (t) => {
  const dir = tempDir(t);
  const stages = `  - { stage: train-lm, id: base, from: docs, eval: held, to: base, init: ${scratch}, trainer: { steps: 1000, lr: 0.003, maxLength: 32, buckets: 1, evalEvery: 0 } }
  - { stage: train-grm, id: grm, from: pairs, to: grm, objective: rationale, init: { from: base }, trainer: { steps: 2, lr: 0.001, batchSize: 4, maxLength: 64, buckets: 1, evalEvery: 0 } }
`;
  const held = docs(20, 500);
  const r = await runIn(dir, pipelineText(dir, 'lm', { docs: { kind: 'inline', records: docs(200, 0) }, held: { kind: 'inline', records: held }, pairs: { kind: 'inline', records: sumExamples(4) } }, stages));
  const base = r.stages.find((s) => s.id === 'base')!;
  t.is(base.status, 'ran', base.summary);
  t.log(base.summary);
  const modelDir = path.join(dir, 'runs/lm/base/base');
  t.is((await readModelMeta(modelDir))!.role, 'base');
  const model = await CausalLM.load(modelDir, await cpuBackend());
  const out = await generate(model, held.map((d) => d.prompt), { maxTokens: 8, temperature: 0 });
  model.dispose();
  const right = out.filter((g, i) => g.text.trimEnd() === held[i]!.completion).length;
  t.is(base.metrics.exactMatch, right / held.length);
  t.true(right >= 18, `${right} of 20 held-out documents written exactly (${out.slice(0, 3).map((g) => JSON.stringify(g.text)).join(', ')})`);
  t.is(r.stages.find((s) => s.id === 'grm')!.status, 'ran');
  t.regex(readFileSync(path.join(dir, 'runs/lm/grm/grm/gramr.json'), 'utf8'), /"init": "from:base"/);
});

test('train-lm refuses a record without a completion, naming the record and the field', async (t) => {
  const dir = tempDir(t);
  const bad = [...docs(3, 0), { id: 'x', prompt: '1 2 3\n' }];
  const r = await runIn(dir, pipelineText(dir, 'lm-bad', { docs: { kind: 'inline', records: bad } }, `  - { stage: train-lm, id: base, from: docs, to: base, init: ${scratch}, trainer: { steps: 1 } }\n`))
    .catch((e: Error) => e);
  const message = r instanceof Error ? r.message : JSON.stringify((r.stages[0] as { summary?: string }).summary);
  t.regex(message, /record 4: field "completion" must be a string \(got nothing\)/);
});
