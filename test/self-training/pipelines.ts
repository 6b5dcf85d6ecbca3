// Pipeline texts of the self-training tests: verifiable-math splits (1-step problems) and the trained fixture models,
// a self-train stage with small knobs, and an in-process runner. Not a test file.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAppPipeline } from '../../cli/app.js';
import { runPipeline, type RunResult } from '../../core/pipeline/runner.js';
import { FIXTURE_DATA, FIXTURE_DIR, FIXTURE_SCRATCH } from './fixture-models.js';

/** A verifiable-math dataset entry. */
export function vmathSet(split: string, count: number, seed = 0): Record<string, unknown> {
  return { kind: 'verifiable-math', split, count, seed, ...FIXTURE_DATA };
}

/**
 * Small, fast gram-r2 knobs: 3 votes, 3 proofs, a 2-step retrain (a checkpoint every step) continuing from the
 * current GRM (2 steps from the backbone would leave a GRM that cannot answer yet).
 */
export const SMALL_STRATEGY = {
  retrain: 'continue', votes: 3, temperature: 0.8, maxTokens: 96, threshold: 0.9, k: 3, proofMaxTokens: 100, maxRationaleBytes: 100, batchSize: 3,
  trainer: { steps: 2, lr: 0.003, batchSize: 8, maxLength: 320, warmup: 0, evalEvery: 0, checkpointEvery: 1 },
};

/** A pipeline file: datasets, the fixture models (grm, prover) and the given stages (YAML list items). */
export function pipeline(name: string, datasets: Record<string, unknown>, stages: string, models: Record<string, string> = {}): string {
  const ds = Object.entries(datasets).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
  const ms = Object.entries({ grm: path.join(FIXTURE_DIR, 'grm'), prover: path.join(FIXTURE_DIR, 'prover'), ...models })
    .map(([k, v]) => `  ${k}: { path: ${JSON.stringify(v)} }`).join('\n');
  return `name: ${name}\nseed: 0\nbackend: { prefer: [cpu] }\ndatasets:${ds ? `\n${ds}` : " {}"}\nmodels:\n${ms}\nstages:\n${stages}`;
}

/** The main self-training pipeline: 8 initial examples, two rounds of 4 unlabeled pairs, 4 eval pairs. */
export function selfTrainPipeline(strategy: Record<string, unknown> = SMALL_STRATEGY, name = 'st'): string {
  return pipeline(name, {
    seed: vmathSet('seed', 8, 3), u1: vmathSet('unlabeled-1', 4), u2: vmathSet('unlabeled-2', 4), test: vmathSet('test', 4),
  }, `  - stage: self-train
    grm: grm
    prover: prover
    synthesized: seed
    rounds: [u1, u2]
    backbone: ${JSON.stringify({ scratch: FIXTURE_SCRATCH })}
    eval: test
    evaluator: { kind: pairwise, position: none }
    evalJudge: { maxTokens: 96 }
    strategy: ${JSON.stringify(strategy)}
    to: grm-st
`);
}

/** Writes `text` as `dir/p.yaml` and runs it in-process (runs under `dir/runs`). */
export async function runIn(dir: string, text: string, signal?: AbortSignal): Promise<RunResult> {
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, text);
  return runPipeline(await loadAppPipeline(file), { runsDir: path.join(dir, 'runs'), progress: 'quiet', ...(signal ? { signal } : {}) });
}
