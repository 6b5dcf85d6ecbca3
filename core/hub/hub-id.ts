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
  const m = /^([^/@]+)\/([^/@]+)(?:@(.*))?$/.exec(rest) ?? /^([^/@]+)\/([^/@]+)(\/.*)$/.exec(rest);
  if (!m) return undefined;
  const [, owner, name] = m as unknown as [string, string, string];
  let revision = 'main';
  let filePart = '';
  const tail = m[3];
  if (tail !== undefined && tail.startsWith('/')) filePart = tail.slice(1);
  else if (tail !== undefined) {
    // A revision: everything for a plain id; in hf:// up to the next "/" (refs/pr/N and refs/convert/X whole, or %2F-encoded).
    const special = /^(refs\/(?:pr\/\d+|convert\/[^/]+))(?:\/(.*))?$/.exec(tail);
    const cut = !url ? [tail, ''] : special ? [special[1]!, special[2] ?? ''] : [tail.split('/')[0]!, tail.split('/').slice(1).join('/')];
    try { revision = decodeURIComponent(cut[0]!); } catch { return undefined; }
    filePart = cut[1]!;
    if (!/^[A-Za-z0-9._/-]+$/.test(revision) || revision.includes('..')) return undefined;
  }
  if (!validName(owner, name) || (filePart !== '' && !url)) return undefined;
  // `dir/model.bin` or `out/config.json` is a local file that is missing, not a repo.
  if (!url && /\.(bin|json|jsonl|safetensors|gguf|onnx|pt|pth|gz|parquet|yaml|yml)$/i.test(name)) return undefined;
  if (filePart !== '' && filePart.split('/').some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return { type, repo: `${owner}/${name}`, revision, ...(filePart !== '' ? { file: filePart } : {}) };
}

/** `owner/name@rev` (or `datasets/owner/name@rev`) for messages. */
export function formatHubRef(ref: { type: HubRepoType; repo: string; revision: string }): string {
  return `${ref.type === 'dataset' ? 'datasets/' : ''}${ref.repo}${ref.revision === 'main' ? '' : `@${ref.revision}`}`;
}
