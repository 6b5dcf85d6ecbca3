// The verifiable-math plugin: one inversify ContainerModule contributing the `verifiable-math` DataSource
// kind (the demo's generated, verifiable preference data) with its strict zod options schema. Modules only
// bind; the composition root loads it. Named exports are the public API (generators, oracle, rule check).
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { verifiableMathOptionsSchema } from './options.js';
import { VerifiableMathSource } from './verifiable-math-source.js';

/** The plugin's name in contributions. */
export const VERIFIABLE_MATH_PLUGIN = 'verifiable-math';

/** The plugin module: binds `verifiable-math` under ServiceIds.DataSource with its contribution. */
const verifiableMathModule = new ContainerModule((options) => {
  contributeKind(options, VERIFIABLE_MATH_PLUGIN, {
    point: 'DataSource', kind: 'verifiable-math', schema: verifiableMathOptionsSchema, impl: VerifiableMathSource,
    description: 'Generated arithmetic / word-problem pairs (correct vs flawed worked answer) with an oracle, for the demo -> PreferencePair, RationaleExample, CandidateSet, or CompletionExample (split pretrain: base-model documents)',
  });
});
export default verifiableMathModule;

export { GENERATOR_VERSION, VerifiableMathSource } from './verifiable-math-source.js';
export {
  ARITHMETIC_SPLITS, DEFAULT_COUNTS, MEASURES_SPLITS, SPLITS, difficultySchema, verifiableMathOptionsSchema,
  type Split, type VerifiableMathInput, type VerifiableMathOptions,
} from './options.js';
export { commuteVariant, generateSplit, makeCandidates, makePair, partitionKey, type Limits, type MadePair } from './generate.js';
export { PARTITION, SOURCE, isMeasuresSplit, partitionPoint, splitOfKey, streamSeed, type CompletionRecord, type VerifiableMathRecord } from './split-partition.js';
export { ERROR_TYPES, MULTI_STEP_ERRORS, carryDeltas, flawedResponse, slipDigit, type ErrorType, type FlawedResponse } from './flaws.js';
export {
  applyOp, formatPlan, parsePlan, problemOf, renderWork, solvePlan, stepText,
  type Op, type Operand, type PlanStep, type ProblemMeta, type VerifiableProblem, type WorkStep,
} from './problem.js';
export { checkRationale, referenceRationale, type CheckRationaleOptions, type RationaleCheck } from './rationale.js';
export { ARITHMETIC_TEMPLATES, MEASURES_TEMPLATES, type Difficulty, type DrawnProblem, type ProblemTemplate } from './templates.js';
export { parseResponse, parseStep, verifyResponse, type ParsedResponse, type ResponseCheck, type StepCheck, type StepIssue } from './verify-response.js';
export {
  COLUMN_ERROR_TYPES, checkColumnRationale, columnCorrect, columnFlaw, columnPrompt, columnRationale, columnWork, digitsOf,
  drawColumnProblem, parseColumnPrompt, parseDigits, spaced, type ColumnErrorType, type ColumnOp, type ColumnProblem, type ColumnWork,
} from './columns.js';
export { columnKey, generateColumnSplit } from './column-split.js';
