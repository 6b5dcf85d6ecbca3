// The public API of gramr for plugin authors and library users. Outside plugins import from 'gramr' so
// they share gramr's copies of inversify and zod (a ContainerModule from another copy would not load).
export { ContainerModule, injectable, inject } from 'inversify';
export { z } from 'zod';
export { ServiceIds, KindContributionId, KindLookupId, extensionPoints, type ExtensionPoint } from './di/identifiers.js';
export { splitKind, type KindLookup } from './di/kind-lookup.js';
export { contributeKind, type KindContribution, type KindDefinition } from './di/kind-contribution.js';
export { createGramrContainer, GramrContainer } from './di/container.js';
export { contributeCommand, type CommandDefinition, type CommandContribution } from './di/command-contribution.js';
export { expectPositionals, type Command, type CommandContext, type OptionSpec } from './command/command.js';
export type { PluginRef } from './di/plugin-loader.js';
export { ConfigError, GramrError, WorkError } from './errors.js';
export type { Label, PreferencePair, RationaleExample, DataRecord } from './data/records.js';
export { newReadStats, type DataSource, type ReadStats } from './data/data-source.js';
export { defaultTaskContext, silentProgress, type TaskContext, type ProgressSink, type ProgressUpdate } from './pipeline/task-context.js';
export type { Stage, StageContext, StageResult, OutputDecl, ArtifactAccess, ArtifactKind } from './pipeline/stage.js';
export { RecordWriter, readJsonl } from './pipeline/record-writer.js';
export { writeFileAtomic, writeJsonAtomic } from './io/atomic-write.js';
export { loadPipeline, pipelineSchema, type Pipeline, type PlannedStage } from './pipeline/load-pipeline.js';
export { runPipeline, type RunOptions, type RunResult } from './pipeline/runner.js';
export type { Prover, ProofResult, ScoredProof } from './recipe/prover.js';
export type { Trainer, TrainReport, SftExample, PairExample, TrainExample, TrainJob, TrainerContext, EvalPoint } from './recipe/trainer.js';
export type { SelfTrainingStrategy, RoundInputs, RoundReport, RoundResult, PseudoLabel } from './recipe/self-training-strategy.js';
export type { TaskAdapter, AdaptResult, AdaptJob } from './recipe/task-adapter.js';
export type { Ranker, RankResult, Compare, Match } from './reward/ranker.js';
export type { Evaluator, EvalReport, EvalTable, Judge, JudgeOutcome } from './reward/evaluator.js';
/** The judging layer: prompts, parsing, voting, scores, PairJudge, rankers. */
export * as reward from './reward/index.js';
/** The tensor engine: graph building, ops, autodiff, optimizers, backend contract. */
export * as tensor from './tensor/index.js';
/** The model layer: decoder, CausalLM, generation, scoring, checkpoints, tokenizers. */
export * as model from './model/index.js';
/** Training: SFT (full, LoRA), losses (label-smoothed, Bradley-Terry), bucketing, exact resume, scratch models. */
export * as training from './training/index.js';
