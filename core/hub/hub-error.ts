// HubError: a Hub download failed (missing or gated repo, missing file, offline cache miss, corrupt transfer).
// Each message names the repo and says what to do; the CLI prints it and exits 1.
import { WorkError } from '../errors.js';
import { formatHubRef, type HubRepoType } from './hub-id.js';
import type { HubSettings } from './hub-settings.js';

/** Why a Hub request failed. */
export type HubErrorKind = 'gated' | 'unauthorized' | 'repo-not-found' | 'revision-not-found' | 'file-not-found' | 'offline' | 'network' | 'corrupt' | 'http';

/** A failed Hub download, with a message for people. */
export class HubError extends WorkError {
  /** What went wrong, for callers that react to it. */
  readonly kind: HubErrorKind;
  constructor(kind: HubErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/** The repo as `datasets/owner/name@rev` and its page, for messages. */
export interface RepoLabel {
  /** Model or dataset. */
  type: HubRepoType;
  /** owner/name. */
  repo: string;
  /** The revision asked for. */
  revision: string;
}

function page(s: HubSettings, r: RepoLabel): string {
  return `${s.endpoint}/${r.type === 'dataset' ? 'datasets/' : ''}${r.repo}`;
}

/** The HubError for a non-2xx answer to a request for `file` of `r`. */
export function httpError(s: HubSettings, r: RepoLabel, file: string, status: number, code: string | undefined): HubError {
  const id = formatHubRef(r);
  const token = s.token === undefined ? 'HF_TOKEN is not set' : 'the HF_TOKEN that was sent was refused';
  if (code === 'GatedRepo' || (status === 403 && code !== 'RepoNotFound')) {
    return new HubError('gated', `${id} is a gated repo (HTTP ${status}, ${token}): accept its license at ${page(s, r)} ` +
      'while logged in, then set HF_TOKEN to an access token of that account');
  }
  if (status === 401) {
    return new HubError('unauthorized', `${id} was not found on ${s.endpoint} or needs a login (HTTP 401, ${token}): check the id ` +
      `(owner/name${r.type === 'dataset' ? ', a dataset' : ''}); if the repo is private or gated, set HF_TOKEN`);
  }
  if (status === 404 && code === 'RevisionNotFound') {
    return new HubError('revision-not-found', `${r.repo} has no revision "${r.revision}" on ${s.endpoint}: check the @revision (a branch, tag or commit)`);
  }
  if (status === 404 && code === 'EntryNotFound') {
    return new HubError('file-not-found', `${id} has no file ${file} (${page(s, r)})`);
  }
  if (status === 404) {
    return new HubError('repo-not-found', `${id}: no such ${r.type} repo on ${s.endpoint} (HTTP 404): check the id (owner/name` +
      `${r.type === 'model' ? '; datasets are hf://datasets/owner/name' : ''})`);
  }
  return new HubError('http', `${id}: the Hub answered HTTP ${status} for ${file}${code ? ` (${code})` : ''}; try again later`);
}
