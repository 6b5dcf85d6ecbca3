// `gramr run FILE`: validate, then run the pipeline's graph, up to --jobs stages at once (one bar line per running
// stage on a terminal, JSON events otherwise, or into --events FILE), and print a summary: each stage's status, the
// backend, the critical path and the time the concurrency saved. Ctrl-C stops every stage cleanly; a re-run resumes.
import { statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { loadAppPipeline } from '../app.js';
import { runPipeline, runResultOf, type RunResult } from '../../core/pipeline/runner.js';
import { defaultProgressMode } from '../../core/pipeline/progress.js';
import { EventLog } from '../../core/pipeline/event-log.js';
import { expectPositionals, type Command } from '../../core/command/command.js';
import { intOption } from '../../core/command/option-values.js';

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

/** The text summary of a run: a skipped stage shows no time of this run, and says when its result was made. */
export function runSummary(r: RunResult): string {
  const lines = [`run folder: ${r.runDir}`, `backend: ${r.backend.chain}`];
  for (const s of r.stages) {
    const metrics = Object.entries(s.metrics).slice(0, 6).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ');
    const seconds = (s.ms / 1000).toFixed(1);
    const time = s.status === 'skipped' ? '-'.padStart(8) : `${seconds.padStart(7)}s`;
    const note = (s.status === 'skipped' ? ` (unchanged: the result of an earlier run, which took ${seconds}s)` : '')
      + (s.worker !== undefined && s.status === 'ran' ? ` [worker ${s.worker}]` : '');
    lines.push(`  ${s.id.padEnd(24)} ${s.status.padEnd(8)} ${time}  ${s.summary ?? metrics}${note}`);
  }
  if (r.criticalPath.path.length > 0 && r.stageMs > 0) {
    lines.push(`critical path: ${r.criticalPath.path.join(' -> ')} (${secs(r.criticalPath.ms)})`);
    const saved = r.stageMs - r.wallMs;
    lines.push(`wall time ${secs(r.wallMs)} with --jobs ${r.jobs}; the stages took ${secs(r.stageMs)} in all: ${saved > 0 ? `concurrency saved ${secs(saved)}`
      : `no time saved (${r.jobs > 1 ? 'stage process start-up and waiting took longer than the overlap' : 'one stage at a time'})`}`);
  }
  const failed = r.stages.filter((s) => s.status === 'failed').map((s) => s.id);
  const notRun = r.stages.filter((s) => s.status === 'not-run').map((s) => s.id);
  if (failed.length) lines.push(`FAILED: ${failed.join(', ')}`);
  if (notRun.length) lines.push(`not run: ${notRun.join(', ')}`);
  return lines.join('\n');
}

function jobsOf(value: unknown, fromFile: number | undefined): number {
  if (value === undefined) return fromFile ?? os.availableParallelism();
  return intOption({ jobs: value }, 'jobs', 'gramr run', 1)!;
}

/** The --events file: an existing folder or an empty name is a usage error, said before any work. */
function eventsFile(value: unknown): EventLog {
  const file = String(value);
  if (file === '' || file.endsWith('/')) throw new ConfigError(`--events expects a file name, got "${file}"`, 'gramr run');
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch { /* a new file */ }
  if (isDir) throw new ConfigError(`--events ${file}: that is a folder; name a file to append the events to`, 'gramr run');
  return new EventLog(path.resolve(file));
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file: independent stages side by side, skipping complete ones, resuming interrupted ones.',
  usage: 'gramr run FILE [--set key=value]... [--runs DIR] [--jobs N] [--force] [--json] [--events FILE]',
  help: { set: 'override a config value (repeatable), e.g. --set stages[1].limit=10', runs: 'folder for run folders (default: runs)',
    jobs: 'stages run at once, each in its own process (default: the pipeline\'s jobs: key, else the number of cores; 1 runs them in this process)',
    force: 're-run every stage',
    events: 'append the JSON events (stage start/skip/end/failure, progress, logs, the summary; each with a time) to FILE, one per line; stdout keeps the text summary and stderr shows bars or text lines',
    json: 'JSON events and the summary as JSON on stdout (without it: the text summary on stdout; bars, or JSON events when stderr is not a terminal, on stderr)' },
  options: { set: { type: 'string', multiple: true }, runs: { type: 'string' }, jobs: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, events: { type: 'string' } },
  async run(values, positionals) {
    expectPositionals(this, positionals, ['FILE']);
    const p = await loadAppPipeline(positionals[0], (values.set as string[] | undefined) ?? []);
    const jobs = jobsOf(values.jobs, p.config.jobs);
    const json = values.json === true;
    const eventFile = values.events === undefined ? undefined : eventsFile(values.events);
    const events = eventFile ? (e: Record<string, unknown>): void => eventFile.append(e) : undefined;
    const ac = new AbortController();
    const onSignal = (): void => ac.abort(new Error('interrupted; run again to resume'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const print = (r: RunResult): void => {
      events?.({ event: 'summary', ...r });
      if (json) process.stdout.write(JSON.stringify({ event: 'summary', ...r }) + '\n');
      else process.stdout.write(runSummary(r) + '\n');
    };
    try {
      print(await runPipeline(p, { runsDir: values.runs as string | undefined, progress: defaultProgressMode(json, events !== undefined), events, force: values.force === true, signal: ac.signal, jobs }));
      return 0;
    } catch (e) {
      const partial = runResultOf(e);
      if (partial) print(partial);
      throw e;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
