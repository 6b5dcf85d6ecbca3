// The manifest of a stage (`<stage>/manifest.json`): what ran, on what inputs, with which options, seed,
// backend and package versions, how long it took, and the hashes of what it wrote. Written atomically last:
// a stage is complete exactly when its manifest says so.
import { readFileSync } from 'node:fs';
import type { ArtifactKind } from './stage.js';

/** One output recorded in a manifest. */
export interface ManifestOutput {
  /** Artifact kind. */
  kind: ArtifactKind;
  /** Path relative to the run folder. */
  path: string;
  /** Content hash (sha256). */
  hash: string;
  /** Record count, for `records` outputs. */
  records?: number;
}

/** The manifest file's content. */
export interface StageManifest {
  /** Always `complete` (an incomplete stage has no manifest). */
  status: 'complete';
  /** Stage id and kind. */
  id: string;
  kind: string;
  /** sha256 of the canonical kind + options (without execution-only keys) + seed. */
  configHash: string;
  /** The validated options. */
  options: unknown;
  /** Input artifact name -> hash. */
  inputs: Record<string, string>;
  /** Output artifact name -> location and hash. */
  outputs: Record<string, ManifestOutput>;
  /** The seed. */
  seed: number;
  /** The backend that was resolved for the run, and the chain of choices. */
  backend: { name: string; chain: string };
  /** Versions of gramr, Node.js and key packages. */
  versions: Record<string, string>;
  /** Start/end times and duration. */
  timing: { start: string; end: string; ms: number };
  /** The stage's headline metrics. */
  metrics: Record<string, number>;
  /** One-line summary. */
  summary?: string;
  /** The `gramr work` worker (`host:pid`) that ran the stage, when it was placed on a queue. */
  worker?: string;
}

/** Read a manifest, or undefined when absent or unreadable (an unreadable one means "not complete"). */
export function readManifest(file: string): StageManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as StageManifest;
    return m.status === 'complete' ? m : undefined;
  } catch {
    return undefined;
  }
}
