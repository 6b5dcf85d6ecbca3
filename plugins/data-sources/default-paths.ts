// Standard locations of the shared benchmark data, relative to the repository root (the shared data folder sits
// beside the repo at ../shared/data). Loaders require an explicit `path`; configs and the CLI use these constants
// to fill it in (resolve them against the repo root, not the pipeline file's folder).

/** Default `path` of each benchmark kind, relative to the repository root. */
export const DEFAULT_DATA_PATHS = {
  'rm-bench': '../shared/data/rm-bench',
  judgebench: '../shared/data/judgebench',
  llmbar: '../shared/data/llmbar',
  'hh-rlhf': '../shared/data/hh-rlhf',
  pandalm: '../shared/data/pandalm/testset-v1.json',
  gsm8k: '../shared/data/gsm8k/test.jsonl',
  math500: '../shared/data/math500/test.jsonl',
  'qwen-math-candidates': '../shared/data/qwen25-math-rm-maj/math_cot_100.jsonl',
} as const;

/** A benchmark kind that has a standard location. */
export type BenchmarkKind = keyof typeof DEFAULT_DATA_PATHS;
