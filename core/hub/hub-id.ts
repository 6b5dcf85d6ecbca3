// Hugging Face Hub repo ids as gramr accepts them: `owner/name[@revision]`, `hf://owner/name[@revision]`, and for
// files in a dataset repo `hf://datasets/owner/name[@revision]/path/in/repo`. Pure parsing: no file or network access.

/** The kind of a Hub repo. */
export type HubRepoType = 'model' | 'dataset';

/** A parsed Hub reference. */
export interface HubRef {
  /** Model or dataset repo. */
  type: HubRepoType;
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit hash (default `main`). */
  revision: string;
  /** A file inside the repo, when the reference names one (`hf://datasets/o/n/file.json`). */
  file?: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function validName(owner: string, name: string): boolean {
  return PART.test(owner) && PART.test(name) && !name.endsWith('.') && !name.includes('..') && !owner.includes('..');
}

/** A 40-hex-digit commit hash. */
export function isCommitHash(rev: string): boolean {
  return /^[0-9a-f]{40}$/.test(rev);
}

/**
 * Parse `value` as a Hub reference, or return undefined when it does not look like one. Accepted:
 * `owner/name`, `owner/name@rev`, `hf://owner/name[@rev]`, `hf://models/owner/name[@rev][/file]`,
 * `hf://datasets/owner/name[@rev][/file]`. Plain `owner/name[@rev]` is always a model. Callers check first that
 * the value is not an existing local path.
 */
export function parseHubRef(value: string): HubRef | undefined {
  let rest = value;
  let type: HubRepoType = 'model';
  const url = rest.startsWith('hf://');
  if (url) {
    rest = rest.slice('hf://'.length);
    if (rest.startsWith('datasets/')) { type = 'dataset'; rest = rest.slice('datasets/'.length); }
    else if (rest.startsWith('models/')) rest = rest.slice('models/'.length);
  }
  const parts = rest.split('/');
  if (parts.length < 2 || (!url && parts.length !== 2)) return undefined;
  const owner = parts[0]!;
  let name = parts[1]!;
  let revision = 'main';
  const at = name.indexOf('@');
  if (at >= 0) {
    revision = name.slice(at + 1);
    name = name.slice(0, at);
    if (!/^[A-Za-z0-9._/-]+$/.test(revision) || revision.includes('..')) return undefined;
  }
  if (!validName(owner, name)) return undefined;
  // `dir/model.bin` or `out/config.json` is a local file that is missing, not a repo.
  if (!url && /\.(bin|json|jsonl|safetensors|gguf|onnx|pt|pth|gz|parquet|yaml|yml)$/i.test(name)) return undefined;
  const filePart = parts.slice(2).join('/');
  if (filePart !== '' && (filePart.split('/').some((p) => p === '' || p === '.' || p === '..'))) return undefined;
  return { type, repo: `${owner}/${name}`, revision, ...(filePart !== '' ? { file: filePart } : {}) };
}

/** `owner/name@rev` (or `datasets/owner/name@rev`) for messages. */
export function formatHubRef(ref: { type: HubRepoType; repo: string; revision: string }): string {
  return `${ref.type === 'dataset' ? 'datasets/' : ''}${ref.repo}${ref.revision === 'main' ? '' : `@${ref.revision}`}`;
}
