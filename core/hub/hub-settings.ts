// The Hub settings gramr shares with the Python huggingface_hub client, read from the environment: HF_ENDPOINT,
// HF_TOKEN (else the token file `huggingface-cli login` writes), HF_HUB_OFFLINE, and the cache folder
// (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub, as @huggingface/hub's getHFHubCachePath reads it).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getHFHubCachePath } from '@huggingface/hub';

/** Where and how gramr talks to the Hub. */
export interface HubSettings {
  /** Base URL of the Hub (HF_ENDPOINT, default https://huggingface.co), without a trailing slash. */
  endpoint: string;
  /** Bearer token for gated and private repos (HF_TOKEN, else the token file), if any. */
  token?: string;
  /** HF_HUB_OFFLINE: use the cache only; never open a connection. */
  offline: boolean;
  /** The cache folder (the `hub` folder of the Python layout). */
  cacheDir: string;
  /** GRAMR_HUB_REFRESH=1: ask the Hub for the current commit of a branch even when a snapshot of it is cached. */
  refresh: boolean;
}

const TRUE = new Set(['1', 'on', 'yes', 'true']);

function envTrue(v: string | undefined): boolean {
  return v !== undefined && TRUE.has(v.trim().toLowerCase());
}

/** The token from HF_TOKEN, else the file HF_TOKEN_PATH / $HF_HOME/token / ~/.cache/huggingface/token. */
function tokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  const direct = env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
  if (direct !== undefined && direct.trim() !== '') return direct.trim();
  const file = env.HF_TOKEN_PATH ?? join(env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'huggingface'), 'token');
  try {
    const t = readFileSync(file, 'utf8').trim();
    return t === '' ? undefined : t;
  } catch {
    return undefined;
  }
}

/** The settings from `env` (default: this process's environment). */
export function hubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const endpoint = (env.HF_ENDPOINT?.trim() || 'https://huggingface.co').replace(/\/+$/, '');
  const token = tokenFrom(env);
  const cacheDir = env === process.env ? getHFHubCachePath() : withEnv(env, getHFHubCachePath);
  return { endpoint, ...(token !== undefined ? { token } : {}), offline: envTrue(env.HF_HUB_OFFLINE) || envTrue(env.TRANSFORMERS_OFFLINE),
    cacheDir, refresh: envTrue(env.GRAMR_HUB_REFRESH) };
}

/** Run `f` with the cache variables of `env` in process.env (getHFHubCachePath reads process.env only). */
function withEnv<T>(env: NodeJS.ProcessEnv, f: () => T): T {
  const keys = ['HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME'] as const;
  const old = keys.map((k) => process.env[k]);
  try {
    for (const k of keys) { if (env[k] === undefined) delete process.env[k]; else process.env[k] = env[k]; }
    return f();
  } finally {
    keys.forEach((k, i) => { if (old[i] === undefined) delete process.env[k]; else process.env[k] = old[i]; });
  }
}
