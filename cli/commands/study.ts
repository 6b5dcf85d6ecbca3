// `gramr study FILE --seeds 1,2,3`: runs one pipeline once per seed into runs/<name>/seed-<n>/ (through the runner,
// so every seed resumes and skips like `gramr run`), `--jobs N` seeds side by side as child `gramr run` processes,
// then writes runs/<name>/study.md + study.json: mean ± sd of each report row across seeds, claims held per seed.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, WorkError } from '../../core/errors.js';
import { loadAppPipeline } from '../app.js';
import { defaultProgressMode } from '../../core/pipeline/progress.js';
import { runPipeline, type StageOutcome } from '../../core/pipeline/runner.js';
import { expectPositionals, type Command } from '../../core/command/command.js';
import { writeStudy } from './study-summary.js';
import { intOption } from '../../core/command/option-values.js';

/** Parse `1,2,3` or `1-5` (or a mix) into distinct non-negative seeds, in the order given. */
export function parseSeeds(spec: string): number[] {
  const seeds: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ConfigError(`--seeds: "${part}" is not a seed or a range (use e.g. 1,2,3 or 1-5)`, 'gramr study');
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new ConfigError(`--seeds: range "${part}" runs backwards`, 'gramr study');
    for (let s = lo; s <= hi; s++) if (!seeds.includes(s)) seeds.push(s);
  }
  return seeds;
}

/** The --set overrides that make one seed's run: its seed, and its folder name under runs/<name>/. */
function seedSets(sets: string[], seed: number): string[] {
  return [...sets, `seed=${seed}`, `name=seed-${seed}`];
}

interface SeedResult { seed: number; stages?: StageOutcome[]; error?: string }

/** Run one seed in this process. */
async function runInProcess(file: string, sets: string[], seed: number, studyDir: string, force: boolean, json: boolean, signal: AbortSignal): Promise<SeedResult> {
  process.stderr.write(`study: seed ${seed} -> ${path.join(studyDir, `seed-${seed}`)}\n`);
  try {
    const r = await runPipeline(await loadAppPipeline(file, seedSets(sets, seed)), { runsDir: studyDir, progress: defaultProgressMode(json), force, signal });
    return { seed, stages: r.stages };
  } catch (e) {
    if (signal.aborted) throw e;
    return { seed, error: (e as Error).message };
  }
}

/** Run one seed as a child `gramr run --json`; its stderr goes to ours, prefixed with the seed. */
function runChild(file: string, sets: string[], seed: number, studyDir: string, force: boolean, signal: AbortSignal): Promise<SeedResult> {
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const args = [main, 'run', file, ...seedSets(sets, seed).flatMap((s) => ['--set', s]), '--runs', studyDir, '--json', ...(force ? ['--force'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onAbort = (): void => { child.kill('SIGINT'); };
    signal.addEventListener('abort', onAbort, { once: true });
    let out = '';
    let lastErr = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter((l) => l.trim())) { lastErr = line; process.stderr.write(`[seed ${seed}] ${line}\n`); }
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      const summary = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event?: string; stages?: StageOutcome[] }).find((e) => e.event === 'summary');
      resolve(code === 0 && summary ? { seed, stages: summary.stages } : { seed, error: lastErr || `gramr run exited with code ${code}` });
    });
  });
}

/** Run `seeds` with at most `jobs` at a time. */
async function runSeeds(seeds: number[], jobs: number, one: (seed: number) => Promise<SeedResult>): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < seeds.length) results.push(await one(seeds[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(jobs, seeds.length) }, worker));
  return seeds.map((s) => results.find((r) => r.seed === s)!);
}

export const studyCommand: Command = {
  name: 'study',
  summary: 'Run a pipeline once per seed into runs/<name>/seed-<n>/ and summarize the reports across seeds (study.md, study.json).',
  usage: 'gramr study FILE --seeds 1,2,3 [--jobs N] [--set key=value]... [--runs DIR] [--force] [--json]',
  help: { seeds: 'seeds to run, e.g. 1,2,3 or 1-5 (at least one; three or more for a spread)', jobs: 'seeds run side by side, each a child `gramr run` (default 1)',
    set: 'override a config value in every seed\'s run (repeatable)', runs: 'folder for run folders (default: runs)', force: 're-run every stage of every seed',
    json: 'JSON events on stdout instead of progress bars' },
  options: { seeds: { type: 'string' }, jobs: { type: 'string' }, set: { type: 'string', multiple: true }, runs: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    expectPositionals(this, positionals, ['FILE']);
    if (typeof values.seeds !== 'string') throw new ConfigError(`--seeds is required\nusage: ${this.usage}`, 'gramr study');
    const seeds = parseSeeds(values.seeds);
    const jobs = intOption(values, 'jobs', 'gramr study', 1) ?? 1;
    const sets = (values.set as string[] | undefined) ?? [];
    const file = path.resolve(positionals[0]!);
    const base = await loadAppPipeline(file, sets); // validates once, before any work
    const studyDir = path.resolve((values.runs as string | undefined) ?? 'runs', base.name);
    const force = values.force === true;
    const json = values.json === true;
    const ac = new AbortController();
    const onSigint = (): void => ac.abort(new Error('interrupted (Ctrl-C); run again to resume'));
    process.once('SIGINT', onSigint);
    try {
      const results = await runSeeds(seeds, jobs, (seed) => (jobs === 1
        ? runInProcess(file, sets, seed, studyDir, force, json, ac.signal)
        : runChild(file, sets, seed, studyDir, force, ac.signal)));
      ac.signal.throwIfAborted();
      const done = results.filter((r) => r.stages).map((r) => r.seed);
      const command = ['gramr study', path.relative(process.cwd(), file) || file, `--seeds ${seeds.join(',')}`, ...(jobs > 1 ? [`--jobs ${jobs}`] : []), ...sets.map((s) => `--set ${s}`)].join(' ');
      const summary = done.length ? await writeStudy(studyDir, done, command) : undefined;
      const lines = results.map((r) => (r.stages
        ? `  seed ${r.seed}: ${r.stages.filter((s) => s.status === 'ran').length} stages ran, ${r.stages.filter((s) => s.status === 'skipped').length} skipped`
        : `  seed ${r.seed}: FAILED — ${r.error}`));
      if (json) process.stdout.write(JSON.stringify({ event: 'study', dir: studyDir, seeds: results.map((r) => ({ seed: r.seed, ok: !r.error, error: r.error })), summary }) + '\n');
      else process.stdout.write([`study folder: ${studyDir}`, ...lines, ...(summary ? [`summary: ${path.join(studyDir, 'study.md')} (${done.length} seeds)`] : [])].join('\n') + '\n');
      const failed = results.filter((r) => r.error);
      if (failed.length) throw new WorkError(`${failed.length} of ${seeds.length} seeds failed (${failed.map((r) => r.seed).join(', ')}); run the same command again to resume them`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
