// Where each benchmark's data comes from: a data folder (GRAMR_DATA, else DEFAULT_DATA_FOLDER beside the repo) or the
// Hugging Face Hub cache (`gramr data pull <bench>` fills it; offline lookups only here). The Hub repos and files
// are the sets' upstream Hub copies; sets published on GitHub only say so. See docs/hub.md.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { HubRepo, hubSettings, type HubRepoOptions, type HubSettings } from '../../core/hub/index.js';

/** The benchmark kinds with a standard location (a data folder or the Hub), in table order. */
export const BENCHMARK_KINDS = ['rm-bench', 'judgebench', 'llmbar', 'hh-rlhf', 'pandalm', 'gsm8k', 'math500', 'qwen-math-candidates'] as const;

/** A benchmark kind that has a standard location. */
export type BenchmarkKind = typeof BENCHMARK_KINDS[number];

/** Where a benchmark lives upstream. */
export interface BenchmarkSource {
  /** Path under the data folder (dataFolder). */
  local: string;
  /** The Hub dataset repo and the files the loader reads, when the set is on the Hub in a form the loader reads. */
  hub?: { repo: string; files: string[]; path: string };
  /** Where to get it when it is not on the Hub. */
  upstream: string;
}

/** The upstream of each benchmark kind. `hub.path` is the loader's path inside the snapshot ('' = the folder). */
export const BENCHMARK_SOURCES: Record<BenchmarkKind, BenchmarkSource> = {
  'rm-bench': { local: 'rm-bench', hub: { repo: 'THU-KEG/RM-Bench', files: ['total_dataset.json'], path: '' }, upstream: 'github.com/THU-KEG/RM-Bench data/' },
  judgebench: { local: 'judgebench', upstream: 'github.com/ScalerLab/JudgeBench data/',
    hub: { repo: 'ScalerLab/JudgeBench', files: ['data/gpt-00000-of-00001.jsonl', 'data/claude-00000-of-00001.jsonl'], path: 'data' } },
  llmbar: { local: 'llmbar', upstream: 'github.com/princeton-nlp/LLMBar Dataset/' },
  'hh-rlhf': { local: 'hh-rlhf', hub: { repo: 'Anthropic/hh-rlhf', files: ['harmless-base/test.jsonl.gz'], path: '' }, upstream: 'github.com/anthropics/hh-rlhf' },
  pandalm: { local: 'pandalm/testset-v1.json', upstream: 'github.com/WeOpenML/PandaLM data/testset-v1.json' },
  gsm8k: { local: 'gsm8k/test.jsonl', upstream: 'github.com/openai/grade-school-math',
    hub: { repo: 'openai/gsm8k', files: ['main/test-00000-of-00001.parquet'], path: 'main/test-00000-of-00001.parquet' } },
  math500: { local: 'math500/test.jsonl', hub: { repo: 'HuggingFaceH4/MATH-500', files: ['test.jsonl'], path: 'test.jsonl' }, upstream: 'github.com/openai/prm800k' },
  'qwen-math-candidates': { local: 'qwen25-math-rm-maj/math_cot_100.jsonl',
    upstream: 'github.com/QwenLM/Qwen2.5-Math evaluation/data/eval_rm_maj_example/math_cot_100.jsonl' },
};

/** The default data folder, relative to the package root: where the development checkout keeps the full sets. */
export const DEFAULT_DATA_FOLDER = '../shared/data';

/** The data folder: GRAMR_DATA when set, else DEFAULT_DATA_FOLDER beside the package root. */
export function dataFolder(packageRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const set = env.GRAMR_DATA?.trim();
  return set ? resolve(set) : resolve(packageRoot, DEFAULT_DATA_FOLDER);
}

/** The loader path of `kind` in the Hub cache, when pulled; never makes a request. */
export async function cachedBenchmarkPath(kind: BenchmarkKind, settings: HubSettings = hubSettings()): Promise<string | undefined> {
  const hub = BENCHMARK_SOURCES[kind].hub;
  if (hub === undefined) return undefined;
  const repo = new HubRepo('dataset', hub.repo, 'main', { settings: { ...settings, offline: true, refresh: false } });
  for (const f of hub.files) if ((await repo.cached(f)) === undefined) return undefined;
  return join(await repo.snapshot(), hub.path);
}

/**
 * The path the loader of `kind` reads: the data folder's copy, else the pulled Hub copy, else a ConfigError that
 * says how to get the data (`gramr data pull`, or where to put a GitHub-only set).
 */
export async function resolveBenchmarkPath(kind: BenchmarkKind, packageRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const src = BENCHMARK_SOURCES[kind];
  const folder = dataFolder(packageRoot, env);
  const local = join(folder, src.local);
  if (existsSync(local)) return local;
  const cached = await cachedBenchmarkPath(kind, hubSettings(env));
  if (cached !== undefined) return cached;
  const where = `${local} (${env.GRAMR_DATA?.trim() ? 'GRAMR_DATA' : `the default data folder ${DEFAULT_DATA_FOLDER}; set GRAMR_DATA to use another`})`;
  throw new ConfigError(src.hub !== undefined
    ? `no ${kind} data: not in ${where} and not pulled from the Hub: run \`gramr data pull ${kind}\` (${src.hub.repo}), or set GRAMR_DATA`
    : `no ${kind} data: not in ${where}; ${kind} is not on the Hub: download it from ${src.upstream} into that folder`);
}

/** Download the Hub files of `kind` into the Hub cache; returns the loader path. */
export async function pullBenchmark(kind: BenchmarkKind, options: HubRepoOptions = {}): Promise<string> {
  const src = BENCHMARK_SOURCES[kind];
  if (src.hub === undefined) throw new ConfigError(`${kind} is not on the Hub in a form gramr reads; download it from ${src.upstream} into $GRAMR_DATA/${src.local}`);
  const repo = new HubRepo('dataset', src.hub.repo, 'main', options);
  for (const f of src.hub.files) await repo.file(f);
  return join(await repo.snapshot(), src.hub.path);
}
