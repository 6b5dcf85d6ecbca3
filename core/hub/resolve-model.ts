// Model and data paths that may be Hub ids. resolveModelPath turns `owner/name[@rev]` or `hf://owner/name[@rev]`
// (when no local path of that name exists) into the local snapshot folder, after fetching what gramr reads:
// config.json, the safetensors (single, or the index and its shards) and the tokenizer / generation files.
// resolveHubFile does the same for one file, e.g. `hf://datasets/owner/name[@rev]/path/in/repo`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { HubError } from './hub-error.js';
import { parseHubRef } from './hub-id.js';
import { HubRepo, type HubRepoOptions } from './hub-repo.js';

/** Files of a model repo fetched when they exist (besides config.json and the weights); gramr.json is gramr's model card. */
export const MODEL_SIDE_FILES = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'gramr.json'] as const;
const INDEX = 'model.safetensors.index.json';

/** The shard file names an index lists (its weight_map values), in first-use order. */
async function shardsOf(index: string, label: string): Promise<string[]> {
  let parsed: unknown;
  try { parsed = JSON.parse(await readFile(index, 'utf8')); } catch (e) {
    throw new HubError('corrupt', `${label}: ${INDEX} is not valid JSON (${(e as Error).message}); delete ${index} and run again`);
  }
  const map = (parsed as { weight_map?: Record<string, unknown> } | undefined)?.weight_map;
  const names = map && typeof map === 'object' ? Object.values(map) : undefined;
  if (!names || names.length === 0 || names.some((n) => typeof n !== 'string' || n.includes('..'))) {
    throw new HubError('corrupt', `${label}: ${INDEX} has no usable weight_map (file name per tensor)`);
  }
  return [...new Set(names as string[])];
}

/** Fetch the weights of `repo` (from the cache when there); the files fetched. */
async function fetchWeights(repo: HubRepo): Promise<void> {
  if (await repo.cached('model.safetensors')) return;
  let index = await repo.cached(INDEX);
  if (index === undefined && (await repo.file('model.safetensors', { optional: true })) !== undefined) return;
  index ??= await repo.file(INDEX, { optional: true });
  if (index === undefined) {
    throw new HubError(repo.settings.offline ? 'offline' : 'file-not-found', repo.settings.offline
      ? `HF_HUB_OFFLINE is set and the cache under ${repo.folder} lacks the weights of ${repo.label} (model.safetensors or ${INDEX}): run once online`
      : `${repo.label} has neither model.safetensors nor ${INDEX}: gramr reads safetensors checkpoints only (not PyTorch .bin)`);
  }
  for (const shard of await shardsOf(index, repo.label)) await repo.file(shard);
}

/**
 * The local path for a model value: the value itself when it exists or is not a Hub reference (the loader then
 * reports it), else the snapshot folder of the model (or the file, for `hf://owner/name/file`).
 */
export async function resolveModelPath(value: string, options: HubRepoOptions = {}): Promise<string> {
  if (existsSync(value)) return value;
  const ref = parseHubRef(value);
  if (ref === undefined) return value;
  const repo = new HubRepo(ref.type, ref.repo, ref.revision, options);
  if (ref.file !== undefined) return (await repo.file(ref.file))!;
  if (ref.type !== 'model') throw new HubError('file-not-found', `${value} names a dataset repo; a model needs a model repo (owner/name)`);
  try {
    await repo.file('config.json');
  } catch (e) {
    // A plain `a/b` may have been meant as a local folder: say that none exists either.
    if (e instanceof HubError && (e.kind === 'repo-not-found' || e.kind === 'unauthorized') && !value.startsWith('hf://')) {
      throw new HubError(e.kind, `${e.message}; no local file or folder "${value}" exists either`, { cause: e });
    }
    throw e;
  }
  await fetchWeights(repo);
  // A snapshot whose config and weights were all cached is used as it is (a Python-made cache may lack side files
  // and their .no_exist markers): side files are fetched only along with a download.
  if (repo.requests > 0) for (const f of MODEL_SIDE_FILES) await repo.file(f, { optional: true });
  return repo.snapshot();
}

/** The local folder for a tokenizer value: the value when it exists or is no Hub id, else a snapshot with the repo's tokenizer.json (and tokenizer_config.json). */
export async function resolveTokenizerPath(value: string, options: HubRepoOptions = {}): Promise<string> {
  if (existsSync(value)) return value;
  const ref = parseHubRef(value);
  if (ref === undefined || ref.type !== 'model') return value;
  const repo = new HubRepo(ref.type, ref.repo, ref.revision, options);
  if (ref.file !== undefined) return (await repo.file(ref.file))!;
  await repo.file('tokenizer.json');
  if (repo.requests > 0) await repo.file('tokenizer_config.json', { optional: true });
  return repo.snapshot();
}

/** The local path of a `hf://…/file` reference (the value itself when it exists or is not one). */
export async function resolveHubFile(value: string, options: HubRepoOptions = {}): Promise<string> {
  if (existsSync(value) || !value.startsWith('hf://')) return value;
  const ref = parseHubRef(value);
  if (ref === undefined) throw new HubError('file-not-found', `"${value}" is not a Hub reference: expected hf://datasets/owner/name[@revision]/path/in/repo`);
  if (ref.file === undefined) throw new HubError('file-not-found', `"${value}" names a repo, not a file: add the file's path in the repo (hf://datasets/owner/name/file.json)`);
  return (await new HubRepo(ref.type, ref.repo, ref.revision, options).file(ref.file))!;
}
