// What `gramr run` writes where, as a script sees it (stdout and stderr are pipes, not terminals): without --json,
// stdout is the text summary only and the JSON progress events go to stderr; with --json, every stdout line is
// JSON; with --events FILE the JSON events are appended to FILE instead. A re-run's summary shows skipped stages
// without a time of this run, saying their result is an earlier one.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeJudgedPipeline } from '../judging/judged-run.js';

const CLI = resolve(process.cwd(), 'dist/cli/main.js');
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

type Event = { event: string; stage?: string; time?: string; stages?: Array<{ id: string; status: string }> };

test('gramr run --events FILE appends JSON events to the file (after a partial last line); stdout keeps the text summary', async (t) => {
  const { dir } = await writeJudgedPipeline();
  const file = resolve(dir, 'logs/events.jsonl');
  mkdirSync(resolve(dir, 'logs'));
  writeFileSync(file, '{"event":"older"}\n{"event":"cut-off-by-a-cra');
  const first = run(['--events', 'logs/events.jsonl', '--jobs', '1', '--set', 'stages[1].judge.maxTokens=4'], dir);
  t.is(first.code, 0, first.stderr);
  t.false(first.stdout.split('\n').some((l) => l.startsWith('{')), `no JSON on stdout:\n${first.stdout}`);
  t.regex(first.stdout, /^run folder: /);
  t.false(first.stderr.split('\n').some((l) => l.startsWith('{')), `no JSON on stderr either:\n${first.stderr}`);
  t.regex(first.stderr, /^evaluate: done in \d+\.\ds$/m);

  const again = run(['--events', 'logs/events.jsonl', '--force', '--jobs', '2', '--set', 'stages[1].judge.maxTokens=4'], dir);
  t.is(again.code, 0, again.stderr);
  const lines = readFileSync(file, 'utf8').split('\n');
  t.deepEqual(lines.slice(0, 2), ['{"event":"older"}', '{"event":"cut-off-by-a-cra'], 'what was there is kept as it was');
  t.is(lines.at(-1), '', 'the file ends with a whole line');
  const events = lines.slice(2, -1).map((l) => JSON.parse(l) as Event);
  t.true(events.every((e) => typeof e.time === 'string' && !Number.isNaN(Date.parse(e.time))), 'every event has a time');
  const summaries = events.flatMap((e, i) => (e.event === 'summary' ? [i] : []));
  t.is(summaries.length, 2, 'one summary per run');
  for (const [from, to] of [[0, summaries[0]!], [summaries[0]! + 1, summaries[1]!]]) {
    const runEvents = events.slice(from, to + 1);
    for (const stage of ['evaluate', 'cut-short', 'report']) {
      t.true(runEvents.some((e) => e.event === 'stage-start' && e.stage === stage), `stage-start of ${stage}`);
      t.true(runEvents.some((e) => e.event === 'stage-end' && e.stage === stage), `stage-end of ${stage}`);
    }
    t.true(runEvents.some((e) => e.event === 'progress' && e.stage === 'evaluate'), 'progress of evaluate');
    t.deepEqual(runEvents.at(-1)!.stages!.map((s) => s.status), ['ran', 'ran', 'ran']);
  }
});

test('gramr run --events on a folder is a usage error before any work', async (t) => {
  const { dir } = await writeJudgedPipeline();
  const r = run(['--events', '.'], dir);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /--events \.: that is a folder/);
  t.false(existsSync(resolve(dir, 'runs')), 'no run folder was made');
});
