// The judging layer's public API: prompts, parsing, position handling, voting, scores, the PairJudge over
// any JudgeModel, rankers and the evaluator contract.
export * from './judge-model.js';
export * from './judgment.js';
export * from './prompts.js';
export * from './parse-judgment.js';
export * from './position.js';
export * from './voting.js';
export * from './scores.js';
export * from './truncate.js';
export * from './pair-judge-options.js';
export * from './pair-judge.js';
export * from './judge-compare.js';
export * from './coalesce-judge.js';
export * from './rankers.js';
export * from './model-judge.js';
export * from './chat-renderer.js';
export * from './rank-sets.js';
export type * from './ranker.js';
export type * from './evaluator.js';
