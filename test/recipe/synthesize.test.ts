// train-prover and synthesize-rationales through the pipeline runner on the tiny "sum" data: rule drops are
// counted by rule, a kill -9 mid-synthesis (and a kill between the records flush and the log flush) resumes to
// files identical to an uninterrupted run, and bad input (an untrained prover, unlabeled and tie pairs, a broken
// record) gives a clear report or error instead of a crash.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { WorkError } from '../../core/errors.js';
import { initScratchCheckpoint } from '../../core/training/scratch-checkpoint.js';
import { PROOF_RULES } from '../../plugins/prover/proof-rules.js';
import type { SynthesisLogLine } from '../../plugins/prover/synthesis-report.js';
import { pipelineText, runIn, sumExamples } from './pipeline-helpers.js';
import { tempDir } from './helpers.js';

const seedData = sumExamples(64, 1, 'seed');
const pairs = sumExamples(12, 2, 'pair').map(({ rationale: _r, ...p }) => p);
let proverDir = '';
const cleanup: string[] = [];
test.after.always(() => { for (const d of cleanup) rmSync(d, { recursive: true, force: true }); });

const synthStage = (extra = ''): string => `  - stage: synthesize-rationales
    from: pairs
    prover: prover
    to: synthesized
    k: 3
    temperature: 0.7
    maxTokens: 80
    batchSize: 2
    logProofs: true
    rules: { maxRationaleBytes: 40 }
${extra}`;

const files = (runDir: string): Record<string, string> => Object.fromEntries(['synthesized.jsonl', 'synthesized-log.jsonl', 'synthesized-report/report.json']
  .map((f) => [f, readFileSync(path.join(runDir, 'synthesize-rationales', f), 'utf8')]));

test.before(async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gramr-prover-'));
  cleanup.push(dir);
  const r = await runIn(dir, pipelineText(dir, 'prover', { seed: { kind: 'inline', records: seedData } }, `  - stage: train-prover
    from: seed
    to: prover
    init: { scratch: { hiddenSize: 32, layers: 1, heads: 2, intermediate: 64, maxPositions: 128 } }
    prover: { chat: none }
    trainer: { steps: 100, lr: 0.01, batchSize: 8, maxLength: 128, evalEvery: 0, checkpointEvery: 50 }
`));
  proverDir = path.join(r.runDir, 'train-prover', 'prover');
  t.log(`train-prover: ${r.stages[0]!.summary} (${r.stages[0]!.ms} ms)`);
});

test('synthesis keeps some rationales, counts every drop by rule, and writes a report', async (t) => {
  const dir = tempDir(t);
  const r = await runIn(dir, pipelineText(dir, 'synth', { pairs: { kind: 'inline', records: pairs } }, synthStage(), { prover: proverDir }));
  const m = r.stages[0]!.metrics;
  const f = files(r.runDir);
  const log = f['synthesized-log.jsonl']!.trim().split('\n').map((l) => JSON.parse(l) as SynthesisLogLine);
  const kept = f['synthesized.jsonl']!.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; label: string; rationale: string });
  t.log(r.stages[0]!.summary);
  t.deepEqual(log.map((l) => l.id), pairs.map((p) => p.id), 'one log line per pair, in input order');
  t.is(m.kept, kept.length);
  t.deepEqual(kept.map((k) => k.id), log.filter((l) => l.kept).map((l) => l.id), 'kept records in input order');
  // Every candidate is either scored or dropped by exactly one known rule, and the totals add up.
  let dropped = 0;
  for (const l of log) {
    t.is(l.proofs!.length, 3);
    for (const c of l.proofs!) t.true((c.rule !== undefined) !== (c.score !== undefined));
    for (const c of l.proofs!) if (c.rule) t.true((PROOF_RULES as readonly string[]).includes(c.rule), c.rule);
    t.is(Object.values(l.dropped).reduce((a, b) => a + b, 0) + l.scores.length, 3);
    dropped += Object.values(l.dropped).reduce((a, b) => a + b, 0);
  }
  const byRule = Object.entries(m).filter(([k]) => k.startsWith('dropped.')).reduce((a, [, v]) => a + v, 0);
  t.is(byRule, dropped);
  t.true(dropped > 0 && m.kept! > 0, `the tiny prover should both keep and drop (kept ${m.kept}, dropped ${dropped})`);
  for (const k of kept) {
    const line = log.find((l) => l.id === k.id)!;
    t.is(k.label, line.label);
    t.true(line.best!.score <= 0 && line.best!.score === Math.max(...line.scores));
    t.true(Buffer.byteLength(k.rationale) <= 40);
  }
  const report = JSON.parse(f['synthesized-report/report.json']!) as { totals: { kept: number; dropped: Record<string, number> } };
  t.is(report.totals.kept, kept.length);
  t.true(readFileSync(path.join(r.runDir, 'synthesize-rationales/synthesized-report/report.md'), 'utf8').includes('Candidates dropped, by the first rule they failed'));
});

test('kill -9 mid-synthesis, and a kill between the records and the log flush, resume to identical files', async (t) => {
  const ref = tempDir(t);
  const expected = files((await runIn(ref, pipelineText(ref, 'synth', { pairs: { kind: 'inline', records: pairs } }, synthStage(), { prover: proverDir }))).runDir);

  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'p.yaml'), pipelineText(dir, 'synth', { pairs: { kind: 'inline', records: pairs } }, synthStage(), { prover: proverDir }));
  const logPartial = path.join(dir, 'runs/synth/synthesize-rationales/synthesized-log.jsonl.partial');
  // --jobs 1: the stage runs inside the killed process, so nothing writes its files after the kill (with more
  // jobs a stage process outlives its runner for a moment; the runner tests cover that case).
  const child = spawn(process.execPath, [path.join(process.cwd(), 'dist/cli/main.js'), 'run', 'p.yaml', '--jobs', '1', '--json'], { cwd: dir, stdio: 'ignore' });
  const started = Date.now();
  while (!(existsSync(logPartial) && statSync(logPartial).size > 0 && readFileSync(logPartial, 'utf8').split('\n').length > 4) && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const written = readFileSync(logPartial, 'utf8').split('\n').length - 1;
  t.true(written >= 4 && written < pairs.length, `killed mid-run after ${written} of ${pairs.length} log lines`);
  t.false(existsSync(path.join(dir, 'runs/synth/synthesize-rationales/manifest.json')));
  // Make it worse: drop the log lines back to before the last kept pair and tear the next line, as if the kill had
  // landed after the kept records were flushed but before their log lines were.
  const lines = readFileSync(logPartial, 'utf8').split('\n').slice(0, written);
  const lastKept = lines.map((l) => (JSON.parse(l) as SynthesisLogLine).kept).lastIndexOf(1);
  t.true(lastKept >= 0, 'a kept pair among the written lines (so the resume must skip its record already on disk)');
  const keep = lastKept;
  writeFileSync(logPartial, lines.slice(0, keep).map((l) => l + '\n').join('') + lines[keep]!.slice(0, 10));
  const again = await runIn(dir, readFileSync(path.join(dir, 'p.yaml'), 'utf8'));
  t.is(again.stages[0]!.status, 'ran');
  t.is(again.stages[0]!.metrics.resumedAfter, keep);
  t.deepEqual(files(again.runDir), expected);
});

test('bad input: an untrained prover fails every rule -> the stage fails saying why, its report stays; unlabeled and tie pairs are skipped and counted', async (t) => {
  const dir = tempDir(t);
  await initScratchCheckpoint(path.join(dir, 'scratch'), { hiddenSize: 16, layers: 1, heads: 2, intermediate: 32, maxPositions: 128 }, 5);
  const bad = [...pairs.slice(0, 3), { id: 'u1', prompt: '1+1?', a: '2', b: '3' }, { id: 't1', prompt: '1+2?', a: '3', b: '3', label: 'tie' }];
  // An empty output fails the stage that made it (not the next stage, which would find nothing to train on).
  const failed = await t.throwsAsync(runIn(dir, pipelineText(dir, 'bad', { pairs: { kind: 'inline', records: bad } }, synthStage().replace('maxTokens: 80', 'maxTokens: 24'), { prover: path.join(dir, 'scratch') })));
  t.log(failed!.message);
  t.true(failed instanceof WorkError);
  t.regex(failed!.message, /^stage "synthesize-rationales" \(synthesize-rationales\): no rationale passed the rules: 0 of 3 proved pairs kept, so the output is empty/);
  t.regex(failed!.message, /9 candidates dropped: [a-z-]+ \d+/);
  t.regex(failed!.message, /(All|Most) by rule "[a-z-]+": /);
  const stageDir = path.join(dir, 'runs/bad/synthesize-rationales');
  t.false(existsSync(path.join(stageDir, 'manifest.json')));
  const { totals } = JSON.parse(readFileSync(path.join(stageDir, 'synthesized-report/report.json'), 'utf8')) as { totals: Record<string, unknown> };
  t.like(totals, { kept: 0, pairs: 5, proved: 3, allCandidatesDropped: 3, candidates: 9, skipped: { unlabeled: 1, tie: 1 } });
  const report = readFileSync(path.join(stageDir, 'synthesized-report/report.md'), 'utf8');
  t.regex(report, /## Warnings\n\n- no rationale passed the rules: 0 of 3 proved pairs kept/);

  const broken = [...pairs.slice(0, 2), { id: 'x', prompt: '1+1?', a: 2, b: '3', label: 'A' }];
  const err = await t.throwsAsync(runIn(dir, pipelineText(dir, 'broken', { pairs: { kind: 'inline', records: broken } }, synthStage(), { prover: proverDir }), { file: 'q.yaml' }));
  t.true(err instanceof WorkError);
  t.regex(err!.message, /record 2 \(id "x"\): field "a" must be a string/);
});
