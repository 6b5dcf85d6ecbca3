// Pipelines as a graph: `validate --graph`, stages side by side with --jobs 2 giving the same bytes as --jobs 1,
// a failing stage stopping only its dependents, and Ctrl-C stopping every stage process cleanly.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { criticalPath, type GraphNode } from '../../core/pipeline/pipeline-graph.js';
import { cli, cliSpawn, tempDir, writeCountPlugin, writeIn } from './helpers.js';

const PIPELINE = (extraA = '', extraB = '') => `name: g
plugins: [./count.mjs]
stages:
  - { stage: count-to, id: a, n: 1500, to: left${extraA} }
  - { stage: count-to, id: b, n: 1500, to: right${extraB} }
  - { stage: count-to, id: a2, n: 300, to: left2, after: left }
  - { stage: count-to, id: b2, n: 300, to: right2, after: right }
`;

function setup(extraA = '', extraB = ''): string {
  const dir = tempDir('gramr-graph-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', PIPELINE(extraA, extraB));
  return dir;
}

/** Every file under the run folder: manifests without timings, event logs as their sequence of event types. */
function snapshot(runDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.name === 'manifest.json') {
        const m = JSON.parse(readFileSync(path.join(d, e.name), 'utf8')) as Record<string, unknown>;
        delete m.timing;
        out[r] = m;
      } else if (e.name === 'events.jsonl') {
        out[r] = readFileSync(path.join(d, e.name), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type).filter((x) => x !== 'progress');
      } else out[r] = readFileSync(path.join(d, e.name), 'utf8');
    }
  };
  walk(runDir, '');
  return out;
}

const eventTimes = (dir: string, stage: string): Record<string, number> => Object.fromEntries(
  readFileSync(path.join(dir, 'runs/g', stage, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; time: string })
    .filter((e) => e.type === 'stage-start' || e.type === 'stage-end').map((e) => [e.type, Date.parse(e.time)]));

test('validate --graph prints the graph as text, Mermaid and DOT; --json gives each stage its dependencies', (t) => {
  const dir = setup();
  const text = cli(['validate', 'p.yaml', '--graph'], dir);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^a {3}\(count-to\) {2}after: - {2}reads: - {2}writes: left$/m);
  t.regex(text.stdout, /^a2 {2}\(count-to\) {2}after: a {2}reads: left {2}writes: left2$/m);
  const mermaid = cli(['validate', '--graph', 'mermaid', 'p.yaml'], dir);
  t.is(mermaid.code, 0, mermaid.stderr);
  t.regex(mermaid.stdout, /^flowchart TD\n {2}s0\["a \(count-to\)"\]/);
  t.regex(mermaid.stdout, /^ {2}s0 --> s2$/m);
  t.regex(mermaid.stdout, /^ {2}s1 --> s3$/m);
  t.notRegex(mermaid.stdout, /s0 --> s1|s0 --> s3/);
  const dot = cli(['validate', 'p.yaml', '--graph', 'dot'], dir);
  t.regex(dot.stdout, /^digraph pipeline \{[\s\S]* {2}"b" -> "b2";\n\}\n$/);
  const json = JSON.parse(cli(['validate', 'p.yaml', '--json'], dir).stdout) as { stages: Array<{ id: string; after: string[] }> };
  t.deepEqual(json.stages.map((s) => [s.id, s.after]), [['a', []], ['b', []], ['a2', ['a']], ['b2', ['b']]]);
  const bad = cli(['validate', 'p.yaml', '--graph', 'png'], dir);
  t.is(bad.code, 2);
});

test('--jobs 2 runs independent stages side by side with the same bytes as --jobs 1', (t) => {
  // Stages a and b wait halfway until the file "go" exists. Serially it is there from the start; with two jobs the
  // test creates it only once both stages have written their first half, so both were in flight at once.
  const serial = setup(', gate: go', ', gate: go');
  writeFileSync(path.join(serial, 'go'), '');
  const one = cli(['run', 'p.yaml', '--jobs', '1'], serial);
  t.is(one.code, 0, one.stderr);
  t.regex(one.stdout, /critical path: (a -> a2|b -> b2) \(\d+\.\ds\)/);
  t.regex(one.stdout, /with --jobs 1/);

  const parallel = setup(', gate: go', ', gate: go');
  const child = cliSpawn(['run', 'p.yaml', '--jobs', '2'], parallel);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
  return (async () => {
    const halves = ['a/left', 'b/right'].map((p) => path.join(parallel, 'runs/g', `${p}.jsonl.partial`));
    const half = (f: string): boolean => existsSync(f) && readFileSync(f, 'utf8').split('\n').length - 1 >= 750;
    const t0 = Date.now();
    while (!halves.every(half) && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
    t.true(halves.every(half), 'a and b both reached the gate: two stages in flight at once');
    writeFileSync(path.join(parallel, 'go'), '');
    t.is(await exited, 0, stderr);
    const a = eventTimes(parallel, 'a');
    const b = eventTimes(parallel, 'b');
    t.true(a['stage-start'] <= b['stage-end'] && b['stage-start'] <= a['stage-end'], 'a and b overlapped');
    t.regex(stdout, /with --jobs 2/);
    t.deepEqual(snapshot(path.join(parallel, 'runs/g')), snapshot(path.join(serial, 'runs/g')));
  })();
});

test('a failing stage stops its dependents; independent stages finish; exit code and summary name them', (t) => {
  const dir = setup(', failAt: 100');
  const r = cli(['run', 'p.yaml', '--jobs', '2'], dir);
  t.is(r.code, 1);
  t.regex(r.stderr, /stage "a" \(count-to\) failed: failing on purpose at record 100\nfailed: a; not run: a2/);
  t.regex(r.stdout, /^ {2}a +failed .*failing on purpose/m);
  t.regex(r.stdout, /^ {2}a2 +not-run /m);
  t.regex(r.stdout, /^ {2}b2 +ran /m);
  t.regex(r.stdout, /^FAILED: a\nnot run: a2$/m);
  t.true(existsSync(path.join(dir, 'runs/g/b2/manifest.json')));
  t.false(existsSync(path.join(dir, 'runs/g/a2')));
  t.false(existsSync(path.join(dir, 'runs/g/.lock')));
});

test('Ctrl-C stops every stage process; a rerun resumes both', async (t) => {
  const dir = tempDir('gramr-graph-int-');
  writeCountPlugin(dir);
  writeIn(dir, 'p.yaml', 'name: g\nplugins: [./count.mjs]\nstages:\n  - { stage: count-to, id: a, n: 2000, to: left, gate: go }\n  - { stage: count-to, id: b, n: 2000, to: right, gate: go }\n');
  const child = cliSpawn(['run', 'p.yaml', '--jobs', '2', '--json'], dir);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
  const partials = ['a/left', 'b/right'].map((p) => path.join(dir, 'runs/g', `${p}.jsonl.partial`));
  const t0 = Date.now();
  while (!partials.every((p) => existsSync(p) && statSync(p).size > 20_000) && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  const helpers = (JSON.parse(readFileSync(path.join(dir, 'runs/g/.lock'), 'utf8')) as { helpers: number[] }).helpers;
  t.is(helpers.length, 2, 'two stage processes in flight');
  child.kill('SIGINT');
  t.is(await exited, 130, stderr);
  t.regex(stderr, /interrupted; run again to resume; not finished: a, b/);
  t.regex(stdout, /"event":"summary"/);
  for (const pid of helpers) t.throws(() => process.kill(pid, 0), undefined, `stage process ${pid} has exited`);
  t.false(existsSync(path.join(dir, 'runs/g/.lock')));
  writeFileSync(path.join(dir, 'go'), '');
  const again = cli(['run', 'p.yaml', '--jobs', '2'], dir);
  t.is(again.code, 0, again.stderr);
  for (const [stage, out] of [['a', 'left'], ['b', 'right']]) {
    const ids = readFileSync(path.join(dir, 'runs/g', stage, `${out}.jsonl`), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    t.deepEqual(ids, Array.from({ length: 2000 }, (_, i) => i));
    const starts = readFileSync(path.join(dir, 'runs/g', stage, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"stage-start"')).length;
    t.is(starts, 2, `${stage} resumed in its kept folder`);
  }
});

test('the critical path is the longest chain of dependent stages by time', (t) => {
  const node = (id: string, deps: string[]): GraphNode => ({ id, kind: 'k', deps, inputs: [], outputs: [] });
  const graph = [node('a', []), node('b', []), node('a2', ['a']), node('join', ['a2', 'b'])];
  const ms: Record<string, number> = { a: 3000, b: 5000, a2: 2500, join: 100 };
  t.deepEqual(criticalPath(graph, (id) => ms[id]), { path: ['a', 'a2', 'join'], ms: 5600 });
  ms.b = 6000;
  t.deepEqual(criticalPath(graph, (id) => ms[id]), { path: ['b', 'join'], ms: 6100 });
  t.deepEqual(criticalPath([], () => 1), { path: [], ms: 0 });
});

test('--jobs must be an integer of at least 1', (t) => {
  const dir = setup();
  const r = cli(['run', 'p.yaml', '--jobs', '0'], dir);
  t.is(r.code, 2);
  t.regex(r.stderr, /--jobs must be an integer >= 1, got "0"/);
  t.false(existsSync(path.join(dir, 'runs')));
});
