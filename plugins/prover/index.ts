// Built-in plugin `prover`: the preference-proving model of GRAM-R² — the Prover kind `sft-prover` and the stages
// `train-prover` (rationale examples -> prover checkpoint) and `synthesize-rationales` (labeled pairs + prover ->
// rationale examples). One ContainerModule; modules only bind. Named exports are the library API.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { sftProverSchema } from './prover-options.js';
import { SftProver } from './sft-prover.js';
import { SynthesizeRationalesStage, synthesizeRationalesSchema } from './synthesize-rationales-stage.js';
import { TrainProverStage, trainProverSchema } from './train-prover-stage.js';

/** The plugin's name in contributions. */
export const PROVER_PLUGIN = 'prover';

const proverModule = new ContainerModule((options) => {
  contributeKind(options, PROVER_PLUGIN, {
    point: 'Prover', kind: 'sft-prover', schema: sftProverSchema, impl: SftProver,
    description: 'preference-proving model trained by SFT on (s, l) -> proof; samples k proofs, rule-checks them, keeps the best by −log π(ẑ|s,l)/log π(ẑ)',
  });
  contributeKind(options, PROVER_PLUGIN, {
    point: 'Stage', kind: 'train-prover', schema: trainProverSchema, impl: TrainProverStage,
    description: 'train the preference-proving model on rationale examples (scratch or from a model) -> model artifact',
  });
  contributeKind(options, PROVER_PLUGIN, {
    point: 'Stage', kind: 'synthesize-rationales', schema: synthesizeRationalesSchema, impl: SynthesizeRationalesStage, executionKeys: ['executor'],
    description: 'write rationales for labeled pairs with a prover (k samples, rule checks, proof score) -> rationale examples + report; resumable',
  });
});
export default proverModule;

export { SftProver, proverSftExamples, unitHash } from './sft-prover.js';
export { sftProverSchema, synthesisSchema, ruleLimitsSchema, type SftProverOptions, type SynthesisOptions } from './prover-options.js';
export { rationaleToProof, proofToRationale, parseProof, claimLine, closingLine, type ParsedProof } from './proof-layout.js';
export { checkProof, countDrop, PROOF_RULES, CONTENT_CHECKS, DEFAULT_RULE_LIMITS, type ProofRule, type ProofRuleLimits, type ProofCheck } from './proof-rules.js';
export { scoreProofs, proofScore, aloneContextText, type ProofToScore, type ScoreProofsOptions } from './proof-score.js';
export { synthesizeProofs, pairSeed, type SynthesisSettings } from './synthesize-proofs.js';
export {
  renderProverPrompt, renderProverMessage, proverTemplateOf, COMPACT_PROVER_TEMPLATE, FULL_PROVER_TEMPLATE, PROVER_PROMPT_FORMATS,
  type ProverPromptFormat,
} from './prover-prompt.js';
export { TrainProverStage, trainProverSchema, readRationaleExamples } from './train-prover-stage.js';
export { SynthesizeRationalesStage, synthesizeRationalesSchema } from './synthesize-rationales-stage.js';
export { logLineOf, totalsOf, renderSynthesisReport, summaryOf, type SynthesisLogLine, type SynthesisTotals } from './synthesis-report.js';
