// Reads the manifests of a run's stages for the report's timing table: wall time, status and any
// tokens-per-second metric each stage recorded.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { readManifest } from '../../core/pipeline/manifest.js';

/** One stage's timing as its manifest records it. */
export interface StageTiming {
  /** Stage id. */
  id: string;
  /** Stage kind. */
  kind: string;
  /** Wall time in seconds. */
  seconds: number;
  /** Tokens per second, when the stage reported one. */
  tokensPerSecond?: number;
  /** When it ran (ISO start time; stages are listed in this order). */
  start: string;
}

/** Timings of every complete stage in `runDir`, oldest first. Stages without a manifest are left out. */
export function stageTimings(runDir: string): StageTiming[] {
  const out: StageTiming[] = [];
  for (const e of readdirSync(runDir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const m = readManifest(path.join(runDir, e.name, 'manifest.json'));
    if (!m) continue;
    const tps = Object.entries(m.metrics).find(([k]) => /tokens_?per_?s(econd)?$|^tokensPerSecond$/i.test(k));
    out.push({ id: m.id, kind: m.kind, seconds: m.timing.ms / 1000, start: m.timing.start, ...(tps ? { tokensPerSecond: tps[1] } : {}) });
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}
