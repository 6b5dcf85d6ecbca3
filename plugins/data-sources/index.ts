// The data-sources plugin: one inversify ContainerModule that contributes every DataSource kind of this folder
// (generic jsonl / jsonl-gz / json files and the benchmark loaders) with its zod options schema. Modules only
// bind; the composition root (which imports reflect-metadata) loads it. Named exports are the public API.
import { ContainerModule } from 'inversify';
import type { z } from 'zod';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { JsonSource, JsonlGzSource, JsonlSource, jsonOptionsSchema, jsonlOptionsSchema } from './generic-sources.js';
import { HhRlhfSource, hhRlhfOptionsSchema } from './hh-rlhf-source.js';
import { JudgeBenchSource, judgeBenchOptionsSchema } from './judgebench-source.js';
import { LlmBarSource, llmBarOptionsSchema } from './llmbar-source.js';
import { Gsm8kSource, Math500Source, gsm8kOptionsSchema, math500OptionsSchema } from './math-problem-sources.js';
import { PandaLmSource, pandaLmOptionsSchema } from './pandalm-source.js';
import { QwenMathCandidatesSource, qwenMathOptionsSchema } from './qwen-math-candidates-source.js';
import { RmBenchSource, rmBenchOptionsSchema } from './rm-bench-source.js';

/** The plugin's name in contributions. */
export const DATA_SOURCES_PLUGIN = 'data-sources';

/** One kind this plugin provides. */
export interface DataSourceKind {
  /** Kind name. */
  kind: string;
  /** One line for `gramr plugins` and the config reference. */
  description: string;
  /** Options schema (strict). */
  schema: z.ZodType;
  /** Implementation class (no constructor arguments). */
  impl: new () => unknown;
}

/** Every kind, in documentation order. */
export const dataSourceKinds: readonly DataSourceKind[] = [
  {
    kind: 'jsonl', schema: jsonlOptionsSchema, impl: JsonlSource,
    description: 'JSON Lines file (gzip detected) of pairs, mapped by a column map -> PreferencePair',
  },
  {
    kind: 'jsonl-gz', schema: jsonlOptionsSchema, impl: JsonlGzSource,
    description: 'Same as jsonl, named for gzip files -> PreferencePair',
  },
  {
    kind: 'json', schema: jsonOptionsSchema, impl: JsonSource,
    description: 'JSON array (or an array under arrayKey) of pairs, mapped by a column map -> PreferencePair',
  },
  {
    kind: 'rm-bench', schema: rmBenchOptionsSchema, impl: RmBenchSource,
    description: 'RM-Bench: 9 pairs per prompt from the 3x3 style grid -> PreferencePair',
  },
  {
    kind: 'judgebench', schema: judgeBenchOptionsSchema, impl: JudgeBenchSource,
    description: 'JudgeBench pairs with knowledge/reasoning/math/coding categories -> PreferencePair',
  },
  {
    kind: 'llmbar', schema: llmBarOptionsSchema, impl: LlmBarSource,
    description: 'LLMBar Natural/Adversarial and processed MT-Bench/FairEval/LLMEval^2 -> PreferencePair',
  },
  {
    kind: 'hh-rlhf', schema: hhRlhfOptionsSchema, impl: HhRlhfSource,
    description: 'Anthropic HH-RLHF dialogues (gzip JSONL) -> PreferencePair',
  },
  {
    kind: 'pandalm', schema: pandaLmOptionsSchema, impl: PandaLmSource,
    description: 'PandaLM test set, 3 annotators, majority label with ties -> PreferencePair',
  },
  {
    kind: 'gsm8k', schema: gsm8kOptionsSchema, impl: Gsm8kSource,
    description: 'GSM8K problems with gold final answers -> MathProblem',
  },
  {
    kind: 'math500', schema: math500OptionsSchema, impl: Math500Source,
    description: 'MATH-500 problems with gold answers -> MathProblem',
  },
  {
    kind: 'qwen-math-candidates', schema: qwenMathOptionsSchema, impl: QwenMathCandidatesSource,
    description: 'Qwen2.5-Math 8 sampled solutions per MATH problem with correctness -> CandidateSet (or PreferencePair in pairs mode)',
  },
];

/** The plugin module: binds every kind under ServiceIds.DataSource, named by kind, with its contribution. */
const dataSourcesModule = new ContainerModule((options) => {
  for (const k of dataSourceKinds) {
    contributeKind(options, DATA_SOURCES_PLUGIN, { point: 'DataSource', kind: k.kind, description: k.description, schema: k.schema, impl: k.impl });
  }
});
export default dataSourcesModule;

export { BENCHMARK_KINDS, type BenchmarkKind } from './benchmark-data.js';
export type { Candidate, CandidateSet, MathProblem } from './records.js';
export { DataFileError, RecordError } from './errors.js';
export { FileDataSource } from './file-data-source.js';
export { hashedChosenFirst } from './pair-order.js';
export { JsonSource, JsonlGzSource, JsonlSource, jsonOptionsSchema, jsonlOptionsSchema } from './generic-sources.js';
export { HhRlhfSource, hhRlhfOptionsSchema } from './hh-rlhf-source.js';
export { JudgeBenchSource, judgeBenchCategory, judgeBenchOptionsSchema } from './judgebench-source.js';
export { LlmBarSource, llmBarOptionsSchema } from './llmbar-source.js';
export { Gsm8kSource, Math500Source, gsm8kOptionsSchema, math500OptionsSchema, parseGsm8kAnswer } from './math-problem-sources.js';
export { PandaLmSource, majorityVote, pandaLmOptionsSchema } from './pandalm-source.js';
export { QwenMathCandidatesSource, qwenMathOptionsSchema } from './qwen-math-candidates-source.js';
export { RM_BENCH_DOMAINS, RM_BENCH_STYLES, RmBenchSource, rmBenchDifficulty, rmBenchOptionsSchema } from './rm-bench-source.js';
