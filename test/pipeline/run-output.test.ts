// What `gramr run` writes where, as a script sees it (stdout and stderr are pipes, not terminals): without --json,
// stdout is the text summary only and the JSON progress events go to stderr; with --json, every stdout line is
// JSON. A re-run's summary shows skipped stages without a time of this run, saying their result is an earlier one.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { writeJudgedPipeline } from '../judging/judged-run.js';

const CLI = resolve(process.cwd(), 'dist/core/cli/main.js');
const run = (args: string[], cwd: string): { code: number; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, 'run', 'p.yaml', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};

test('gramr run: stdout holds the summary only (events on stderr), or JSON only with --json; skipped stages show no time', async (t) => {
  const { dir } = await writeJudgedPipeline();
  const first = run(['--set', 'stages[1].judge.maxTokens=4'], dir);
  t.is(first.code, 0, first.stderr);
  const out = first.stdout.trim().split('\n');
  t.false(out.some((l) => l.startsWith('{')), `no JSON on stdout:\n${first.stdout}`);
  t.regex(out[0]!, /^run folder: /);
  t.regex(first.stdout, /^ {2}evaluate\s+ran\s+\d+\.\ds {2}pairwise on 13 records/m);
  const events = first.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { event: string; stage: string });
  t.true(events.some((e) => e.event === 'progress' && e.stage === 'evaluate'), 'progress events on stderr');

  const again = run(['--set', 'stages[1].judge.maxTokens=4'], dir);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /^ {2}evaluate\s+skipped\s+- {2}pairwise on 13 records: accuracy [\d.]+% \(unchanged: the result of an earlier run, which took \d+\.\ds\)$/m);
  t.false(/skipped\s+\d/.test(again.stdout), 'no duration in the time column of a skipped stage');

  const json = run(['--json', '--force', '--set', 'stages[1].judge.maxTokens=4'], dir);
  t.is(json.code, 0, json.stderr);
  const lines = json.stdout.trim().split('\n');
  t.notThrows(() => lines.forEach((l) => JSON.parse(l)), 'every stdout line is JSON');
  t.is((JSON.parse(lines.at(-1)!) as { event: string }).event, 'summary');
  t.true(lines.some((l) => (JSON.parse(l) as { event: string }).event === 'progress'));
});
