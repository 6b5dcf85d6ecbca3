// A scripted GRM for the self-training tests: a ScriptedModel (test/reward) whose outputs follow a per-pair script of
// votes — each vote a label with its probability, or no answer — so majority votes and thresholds can be checked
// against hand-computed numbers. The vote of a sample is found from its seed (PairJudge derives seeds from the pair id,
// the order and the sample index). Not a test file.
import type { PreferencePair } from '../../core/data/records.js';
import { PairJudge } from '../../core/reward/pair-judge.js';
import { deriveSeed } from '../../core/reward/seeds.js';
import { ScriptedModel } from '../reward/scripted-model.js';

/** One scripted vote: a label with P(label), or undefined for an output without an answer. */
export type ScriptedVote = ['A' | 'B', number] | undefined;

/** The rationale text every scripted GRM output carries (it must never reach training data). */
export const GRM_RATIONALE = 'GRM-THINKS';

const logit = (p: number): number => Math.log(p / (1 - p));

/**
 * A PairJudge (compact format, `votes` samples at temperature 0.8, position none) over a scripted model that answers
 * pair `pairs[i]`'s sample s with `script(i, s)`. `model` records the calls.
 */
export function scriptedJudge(pairs: readonly PreferencePair[], votes: number, script: (pair: number, sample: number) => ScriptedVote, seed = 0): { judge: PairJudge; model: ScriptedModel } {
  const bySeed = new Map<number, [number, number]>();
  pairs.forEach((p, i) => { for (let s = 0; s < votes; s++) bySeed.set(deriveSeed(seed, 'judge', p.id, 'original', s), [i, s]); });
  const model = new ScriptedModel({
    generate: (_prompt, sampleSeed) => {
      const [i, s] = bySeed.get(sampleSeed)!;
      const v = script(i, s);
      return v === undefined ? `<think>\n${GRM_RATIONALE}\n</think>\n` : `<think>\n${GRM_RATIONALE} l=${v[0]} c=${v[1]}\n</think>\n<answer>\n${v[0]}\n</answer>`;
    },
    logits: (prefix) => {
      const m = /l=([AB]) c=([0-9.]+)\n<\/think>\n<answer>\n$/.exec(prefix);
      if (!m) throw new Error(`scripted GRM: no scripted vote before the answer position: ${JSON.stringify(prefix.slice(-60))}`);
      const z = logit(Number(m[2]));
      return m[1] === 'A' ? { A: z, B: 0 } : { A: 0, B: z };
    },
  });
  return { judge: new PairJudge(model, { format: 'compact', votes, temperature: 0.8, maxTokens: 64 }), model };
}
