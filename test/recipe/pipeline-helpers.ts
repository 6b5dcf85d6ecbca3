// Pipeline helpers of the recipe tests: a temp pipeline folder with an `inline` DataSource plugin (records given in
// the pipeline file, so tests control the data exactly), the tiny "sum" preference data with rationales, and an
// in-process runner. The trainers plugin is added as an outside plugin while it is not a built-in one.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Label, RationaleExample } from '../../core/data/records.js';
import { builtinPlugins, loadAppPipeline } from '../../cli/app.js';
import { runPipeline, type RunResult } from '../../core/pipeline/runner.js';
import { Rng } from '../../core/tensor/rng.js';

const repoRoot = process.cwd();

/** Writes the `inline` DataSource plugin into `dir`; returns the plugin list for the pipeline file. */
export function pipelinePlugins(dir: string): string[] {
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  writeFileSync(path.join(dir, 'inline.mjs'), `import { createHash } from 'node:crypto';
import { ContainerModule, contributeKind, z } from '${gramr}';
class Inline {
  kind = 'inline';
  async *read(o) { for (const r of o.records) yield r; }
  async fingerprint(o) { return createHash('sha256').update(JSON.stringify(o.records)).digest('hex'); }
}
export default new ContainerModule((options) => {
  contributeKind(options, 'inline-data', { point: 'DataSource', kind: 'inline', description: 'records given inline',
    schema: z.object({ records: z.array(z.record(z.string(), z.unknown())) }).strict(), impl: () => new Inline() });
});
`);
  const plugins = ['./inline.mjs'];
  if (!builtinPlugins.some((r) => r.label === 'plugins/trainers')) plugins.push(path.join(repoRoot, 'dist/plugins/trainers/index.js'));
  return plugins;
}

/** A pipeline file text: name, plugins, datasets (as JSON), models and stages (YAML list items, already indented). */
export function pipelineText(dir: string, name: string, datasets: Record<string, unknown>, stages: string, models: Record<string, string> = {}, seed = 0): string {
  const ds = Object.entries(datasets).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
  const ms = Object.entries(models).map(([k, v]) => `  ${k}: { path: ${JSON.stringify(v)} }`).join('\n');
  return `name: ${name}\nseed: ${seed}\nbackend: { prefer: [cpu] }\nplugins: ${JSON.stringify(pipelinePlugins(dir))}\n`
    + `datasets:\n${ds || '  {}'}\n${ms ? `models:\n${ms}\n` : ''}stages:\n${stages}`;
}

/** Writes `text` as `dir/<file>` and runs it in-process with runs under `dir/runs`. */
export async function runIn(dir: string, text: string, options: { signal?: AbortSignal; file?: string; force?: boolean } = {}): Promise<RunResult> {
  const file = path.join(dir, options.file ?? 'p.yaml');
  writeFileSync(file, text);
  return runPipeline(await loadAppPipeline(file), {
    runsDir: path.join(dir, 'runs'), progress: 'quiet', ...(options.signal ? { signal: options.signal } : {}), ...(options.force ? { force: true } : {}),
  });
}

/**
 * Tiny rationale data: "x+y?" with a correct and an off-by-one sum, the correct one at a seeded side, and a
 * rationale that checks both: `A 5 ok. B 6 bad.` Short enough for 128-position byte models.
 */
export function sumExamples(n: number, seed = 0, idPrefix = 'sum'): RationaleExample[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = 1 + rng.int(9), y = 1 + rng.int(9), good = x + y, bad = good + (rng.int(2) ? 1 : -1);
    const label: Label = rng.int(2) ? 'A' : 'B';
    const [a, b] = label === 'A' ? [good, bad] : [bad, good];
    const rationale = `A ${a} ${a === good ? 'ok' : 'bad'}. B ${b} ${b === good ? 'ok' : 'bad'}.`;
    return { id: `${idPrefix}:${i}`, prompt: `${x}+${y}?`, a: String(a), b: String(b), label, rationale };
  });
}
