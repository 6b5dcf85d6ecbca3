// A small evaluated run for the judgment readers' tests (`gramr judgments`, `gramr view`): the tiny judge evaluates
// pairs with both orders through a real pipeline. The pairs are the trivial task's (all judged right), two pairs
// whose gold label is deliberately wrong (judged "wrong"), and two of two good words (either label is defensible,
// so the orders may disagree); a second stage with 3 new tokens leaves every judgment without an answer; a report
// stage tables and plots both.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline, type RunResult } from '../../core/pipeline/runner.js';
import { BAD, GOOD, tinyJudgeDir } from './tiny-judge.js';

/** The run and where its evaluate stages are. */
export interface JudgedRun {
  /** The run folder. */
  runDir: string;
  /** The evaluate stage whose judgments answer (stage id `evaluate`). */
  stageDir: string;
  /** The evaluate stage where nothing is answered (stage id `cut-short`). */
  cutShortDir: string;
  /** Ids of the pairs with a wrong gold label. */
  mislabeled: string[];
  /** The runner's result. */
  result: RunResult;
}

/** Pairs as JSONL: domain `chat` for the trivial ones, `math` for the mislabeled and two-good ones. */
function pairsJsonl(): { text: string; mislabeled: string[] } {
  const rows: Array<Record<string, unknown>> = [];
  for (const [i, g] of GOOD.entries()) for (const [j, b] of BAD.entries()) {
    rows.push({ id: `p${i}${j}`, prompt: 'choose', a: g, b, label: 'A', category: 'chat' });
  }
  rows.push({ id: 'mislabeled-1', prompt: 'which?', a: 'good', b: 'poor', label: 'B', category: 'math' });
  rows.push({ id: 'mislabeled-2', prompt: 'pick one', a: 'wrong', b: 'fine', label: 'A', category: 'math' });
  rows.push({ id: 'two-good-1', prompt: 'choose', a: 'good', b: 'fine', label: 'A', category: 'math' });
  rows.push({ id: 'two-good-2', prompt: 'which?', a: 'right', b: 'good', label: 'A', category: 'math' });
  return { text: rows.map((r) => JSON.stringify(r)).join('\n') + '\n', mislabeled: ['mislabeled-1', 'mislabeled-2'] };
}

/** Write the pipeline (p.yaml) and its pairs into a new temp folder (removed at exit); returns the folder. */
export async function writeJudgedPipeline(): Promise<{ dir: string; mislabeled: string[] }> {
  const model = await tinyJudgeDir();
  const dir = mkdtempSync(join(tmpdir(), 'gramr-judged-run-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const { text, mislabeled } = pairsJsonl();
  writeFileSync(join(dir, 'pairs.jsonl'), text);
  writeFileSync(join(dir, 'p.yaml'), `name: judged
seed: 1
models:
  judge: { path: ${model} }
datasets:
  pairs: { kind: jsonl, path: pairs.jsonl, metaFields: [category] }
stages:
  - { stage: evaluate, model: judge, from: pairs, evaluator: { kind: pairwise, position: both, batchSize: 8 }, judge: { maxTokens: 16 }, batchSize: 8, to: report }
  - { stage: evaluate, id: cut-short, model: judge, from: pairs, evaluator: { kind: pairwise, position: both, batchSize: 8 }, judge: { maxTokens: 3 }, batchSize: 8, to: short-report }
  - stage: report
    title: Judged run
    to: final
    tables:
      - title: Pairwise accuracy
        rows:
          - { label: answered, from: report }
          - { label: cut short, from: short-report }
`);
  return { dir, mislabeled };
}

/** Build and run the pipeline in a temp folder (removed at exit). */
export async function judgedRun(): Promise<JudgedRun> {
  const { dir, mislabeled } = await writeJudgedPipeline();
  const result = await runPipeline(await loadAppPipeline(join(dir, 'p.yaml')), { runsDir: join(dir, 'runs'), progress: 'quiet' });
  return { runDir: result.runDir, stageDir: join(result.runDir, 'evaluate'), cutShortDir: join(result.runDir, 'cut-short'), mislabeled, result };
}
