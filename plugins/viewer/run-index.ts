// What `gramr view` lists about a run folder: each stage (complete or not, kind, summary, time, metrics), which
// stages keep judgments, each stage's report.md, and the run's own report.md (the report stage's copy). Read from
// the manifests and folders only.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../../core/pipeline/manifest.js';
import { judgmentsOutput } from './judgment-reader.js';

/** One stage as the page lists it. */
export interface StageEntry {
  /** Stage id (its folder name). */
  id: string;
  /** Stage kind (from the manifest; from attempt.json, else undefined, for an incomplete stage). */
  kind?: string;
  /** Whether its manifest exists (the stage completed). */
  complete: boolean;
  /** The runner's one-line summary. */
  summary?: string;
  /** Wall time of its last run, seconds. */
  seconds?: number;
  /** Headline metrics. */
  metrics?: Record<string, number>;
  /** Whether it has a judgments log (an evaluate stage). */
  judgments: boolean;
  /** Its report.md, relative to the run folder, when it wrote one. */
  report?: string;
}

/** The run as the page lists it. */
export interface RunEntry {
  /** The run folder's name. */
  name: string;
  /** Stages in the order of their start time (folders without a manifest last). */
  stages: StageEntry[];
  /** The run's report.md (relative to the run folder), when the report stage copied one there. */
  report?: string;
}

/** List the run folder `runDir`. */
export function indexRun(runDir: string): RunEntry {
  const stages: Array<StageEntry & { start: string }> = [];
  for (const e of readdirSync(runDir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const dir = path.join(runDir, e.name);
    const m = readManifest(path.join(dir, 'manifest.json'));
    const attempt = !m && existsSync(path.join(dir, 'attempt.json')) ? readJson(path.join(dir, 'attempt.json')) : undefined;
    if (!m && !attempt) continue;
    const outputs = m ? Object.entries(m.outputs) : [];
    const report = outputs.map(([, o]) => path.join(o.path, 'report.md')).find((p) => existsSync(path.join(runDir, p)));
    stages.push({
      id: e.name, complete: m !== undefined, start: m?.timing.start ?? '~',
      ...(m?.kind ?? attempt?.kind ? { kind: String(m?.kind ?? attempt?.kind) } : {}),
      ...(m?.summary !== undefined ? { summary: m.summary } : {}), ...(m ? { seconds: m.timing.ms / 1000, metrics: m.metrics } : {}),
      judgments: m !== undefined && judgmentsOutput(m) !== undefined,
      ...(report !== undefined ? { report } : {}),
    });
  }
  stages.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id.localeCompare(b.id)));
  return {
    name: path.basename(runDir),
    stages: stages.map(({ start: _start, ...s }) => s),
    ...(existsSync(path.join(runDir, 'report.md')) ? { report: 'report.md' } : {}),
  };
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
