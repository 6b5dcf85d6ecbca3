// `gramr run FILE`: validate, then run the pipeline with a progress bar per stage (or JSON events), and
// print a summary naming the backend. Ctrl-C stops between items; a re-run resumes.
import { loadPipeline } from '../../pipeline/load-pipeline.js';
import { runPipeline, type RunResult } from '../../pipeline/runner.js';
import { defaultProgressMode } from '../../pipeline/progress.js';
import { expectPositionals, type Command } from '../command.js';

/** The text summary of a run: a skipped stage shows no time of this run, and says when its result was made. */
export function runSummary(r: Pick<RunResult, 'runDir' | 'backend' | 'stages'>): string {
  const lines = [`run folder: ${r.runDir}`, `backend: ${r.backend.chain}`];
  for (const s of r.stages) {
    const metrics = Object.entries(s.metrics).slice(0, 6).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ');
    const seconds = (s.ms / 1000).toFixed(1);
    const time = s.status === 'skipped' ? '-'.padStart(8) : `${seconds.padStart(7)}s`;
    const note = s.status === 'skipped' ? ` (unchanged: the result of an earlier run, which took ${seconds}s)` : '';
    lines.push(`  ${s.id.padEnd(24)} ${s.status.padEnd(8)} ${time}  ${s.summary ?? metrics}${note}`);
  }
  return lines.join('\n');
}

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a pipeline file: stages in order, skipping complete ones, resuming interrupted ones.',
  usage: 'gramr run FILE [--set key=value]... [--runs DIR] [--force] [--json]',
  help: { set: 'override a config value (repeatable), e.g. --set stages[1].limit=10', runs: 'folder for run folders (default: runs)',
    force: 're-run every stage', json: 'JSON events and the summary as JSON on stdout (without it: the text summary on stdout; bars, or JSON events when stderr is not a terminal, on stderr)' },
  options: { set: { type: 'string', multiple: true }, runs: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    expectPositionals(this, positionals, ['FILE']);
    const p = await loadPipeline(positionals[0], (values.set as string[] | undefined) ?? []);
    const json = values.json === true;
    const ac = new AbortController();
    const onSigint = (): void => ac.abort(new Error('interrupted (Ctrl-C); run again to resume'));
    process.once('SIGINT', onSigint);
    try {
      const r = await runPipeline(p, { runsDir: values.runs as string | undefined, progress: defaultProgressMode(json), force: values.force === true, signal: ac.signal });
      if (json) process.stdout.write(JSON.stringify({ event: 'summary', ...r }) + '\n');
      else process.stdout.write(runSummary(r) + '\n');
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
