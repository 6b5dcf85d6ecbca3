// The columns family: the wrong response differs from the true result in exactly one non-units digit (checked by
// plain integer arithmetic, not the generator's own column code), no length or units-digit cue, seeded and disjoint
// splits, the reference rationale and its calculator check, and the prover's content rule dropping a proof with one
// wrong column.
import test from 'ava';
import type { PreferencePair, RationaleExample } from '../../core/data/records.js';
import { checkProof, DEFAULT_RULE_LIMITS } from '../../plugins/prover/proof-rules.js';
import { rationaleToProof } from '../../plugins/prover/proof-layout.js';
import {
  SPLITS, checkColumnRationale, columnKey, generateSplit, parseColumnPrompt, verifiableMathOptionsSchema,
} from '../../plugins/verifiable-math/index.js';
import type { CandidateSet } from '../../plugins/data-sources/records.js';
import { gen } from './helpers.js';

const COLS = { family: 'columns', columns: { width: 4, minDigits: 3 } } as const;
const pairsOf = (split: string, count: number, seed = 0): Array<PreferencePair | RationaleExample> =>
  gen({ ...COLS, split, count, seed } as never) as Array<PreferencePair | RationaleExample>;
/** A number from least-significant-first spaced digits. */
const num = (text: string): number => Number(text.split(' ').reverse().join(''));
const goldOf = (p: PreferencePair): string => (p.label ?? (p.meta as { goldLabel: string }).goldLabel) as string;

test('the true response is the exact sum (difference for adapt-*); the wrong one differs in exactly one non-units digit', (t) => {
  for (const split of ['labeled', 'unlabeled-1', 'test', 'adapt-train', 'adapt-test']) {
    const types = new Map<string, number>();
    for (const p of pairsOf(split, 600)) {
      const [xs, op, ys] = p.prompt.split(/ ([-+]) /);
      const x = num(xs!), y = num(ys!), truth = op === '+' ? x + y : x - y;
      t.true(x >= 100 && y >= 100 && x <= 9999 && y <= 9999, `${p.id}: 3-4 digit operands`);
      const [right, wrong] = goldOf(p) === 'A' ? [p.a, p.b] : [p.b, p.a];
      t.is(num(right), truth, `${p.id}: ${p.prompt} = ${truth}`);
      const diff = right.split(' ').map((d, i) => (d === wrong.split(' ')[i] ? -1 : i)).filter((i) => i >= 0);
      t.is(diff.length, 1, `${p.id}: ${right} vs ${wrong}`);
      t.true(diff[0]! >= 1, `${p.id}: the units digit is never the changed one`);
      t.is(wrong.length, right.length, `${p.id}: same length`);
      types.set(String(p.meta!.errorType), (types.get(String(p.meta!.errorType)) ?? 0) + 1);
    }
    t.deepEqual([...types.keys()].sort(), ['dropped-carry', 'phantom-carry', 'slipped-digit'], split);
  }
});

test('no surface cue: the true response is A about half the time, and neither length nor the larger digit tells', (t) => {
  const ps = pairsOf('labeled', 3000);
  const aRight = ps.filter((p) => p.label === 'A').length / ps.length;
  t.true(aRight > 0.46 && aRight < 0.54, `A is right in ${aRight}`);
  const dropped = ps.filter((p) => p.meta!.errorType === 'dropped-carry');
  // A dropped carry makes the wrong digit (x + y) mod 10 and the true one (x + y + 1) mod 10: the larger-digit rule
  // is right only where that wraps, so it must not be a near-perfect cue.
  const largerRight = dropped.filter((p) => {
    const col = p.meta!.flawedColumn as number;
    const [right, wrong] = p.label === 'A' ? [p.a, p.b] : [p.b, p.a];
    return Number(right.split(' ')[col]) > Number(wrong.split(' ')[col]);
  }).length / dropped.length;
  t.true(largerRight < 0.95, `the larger digit is right in ${largerRight} of dropped carries`);
});

test('seeded and disjoint: same options give the same records, another seed others, and no problem is in two splits', (t) => {
  const opts = { ...COLS, split: 'test', count: 50 } as const;
  t.deepEqual([...generateSplit(verifiableMathOptionsSchema.parse(opts))], pairsOf('test', 50));
  t.notDeepEqual(pairsOf('test', 50, 1).map((p) => p.prompt), pairsOf('test', 50).map((p) => p.prompt));
  const owner = new Map<string, string>();
  for (const seed of [0, 1]) {
    for (const split of SPLITS.filter((x) => x !== 'pretrain')) {
      for (const r of gen({ ...COLS, split, count: split === 'labeled' ? 1500 : 300, seed } as never)) {
        const key = columnKey(parseColumnPrompt((r as PreferencePair).prompt)!);
        const prev = owner.get(key);
        t.true(prev === undefined || prev === split, `${key} in ${prev} and ${split}`);
        owner.set(key, split);
      }
    }
  }
});

test('the reference rationale passes the calculator check; candidates are marked correct exactly when they are the sum', (t) => {
  const seed = pairsOf('seed', 300) as RationaleExample[];
  for (const r of seed) t.deepEqual(checkColumnRationale(r, r.rationale, r.label), [], r.id);
  t.is(seed[0]!.rationale.split('\n').length, 4);
  for (const set of gen({ ...COLS, split: 'candidates', count: 30 } as never) as CandidateSet[]) {
    const [xs, , ys] = set.prompt.split(/ ([-+]) /);
    for (const c of set.candidates) t.is(c.correct, num(c.text) === num(xs!) + num(ys!), `${set.id}: ${c.text}`);
  }
});

test('a proof with one wrong column is dropped by the content rule, and kept without it', (t) => {
  const r = (pairsOf('seed', 20) as RationaleExample[]).find((x) => x.rationale.includes('c 0 1') || x.rationale.includes('c 0 0 1'))!;
  const lines = r.rationale.split('\n');
  // One sum digit wrong (column 2), everything else as the reference wrote it.
  const cells = lines[1]!.split(' ');
  cells[3] = String((Number(cells[3]) + 1) % 10);
  const bad = [lines[0], cells.join(' '), ...lines.slice(2)].join('\n');
  const limits = { ...DEFAULT_RULE_LIMITS, content: 'columns' as const };
  t.is(checkProof(rationaleToProof(r.rationale, r.label), r, r.label, 'eos', limits).failed, undefined);
  const dropped = checkProof(rationaleToProof(bad, r.label), r, r.label, 'eos', limits);
  t.is(dropped.failed, 'content');
  t.regex(dropped.detail!, /column 2: s \d should be \d/);
  t.is(checkProof(rationaleToProof(bad, r.label), r, r.label, 'eos', DEFAULT_RULE_LIMITS).failed, undefined, 'structure-only rules keep it');
  // A wrong carry, a wrong match flag and a verdict the flags do not support are each caught.
  const carry = [lines[0]!.replace(/^c 0 (\d)/, (_, d: string) => `c 0 ${1 - Number(d)}`), ...lines.slice(1)].join('\n');
  t.regex(checkColumnRationale(r, carry, r.label).join('; '), /column 1: c \d should be \d/);
  const other = r.label === 'A' ? 'B' : 'A';
  t.regex(checkColumnRationale(r, [...lines.slice(0, 3), `${other} is right.`].join('\n'), other).join('; '), /does not follow from the match row/);
  t.regex(checkColumnRationale(r, lines.slice(0, 3).join('\n'), r.label)[0]!, /is not "c <5 cells>/);
});

test('layout aligned: rows x, y copy the operands, a, b the responses, around the rows layout; the calculator check reads both', (t) => {
  const at = (layout: string): RationaleExample[] => gen({ family: 'columns', columns: { width: 3, minDigits: 2, layout }, split: 'labeled', count: 50, seed: 3, rationales: true } as never) as RationaleExample[];
  const rows = at('rows'), ops = at('aligned');
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i]!.rationale.split('\n'), o = ops[i]!.rationale.split('\n');
    const [xs, , ys] = rows[i]!.prompt.split(/ ([-+]) /);
    t.deepEqual(o.slice(0, 2), [`x ${xs} 0`, `y ${ys} 0`], rows[i]!.prompt);
    t.deepEqual(o.slice(4, 6), [`A ${rows[i]!.a}`, `B ${rows[i]!.b}`]);
    t.deepEqual([...o.slice(2, 4), ...o.slice(6)], base);
    t.deepEqual(checkColumnRationale(ops[i]!, ops[i]!.rationale, ops[i]!.label), [], ops[i]!.id);
  }
  // A miscopied operand digit is a failed column like any other.
  const r = ops[0]!, lines = r.rationale.split('\n');
  const cells = lines[0]!.split(' ');
  cells[2] = String((Number(cells[2]) + 1) % 10);
  t.deepEqual(checkColumnRationale(r, [cells.join(' '), ...lines.slice(1)].join('\n'), r.label), [`column 1: x ${cells[2]} should be ${lines[0]!.split(' ')[2]}`]);
  t.regex(checkColumnRationale(r, lines.slice(1).join('\n'), r.label)[0]!, /the rationale is not/);
});

test('pretrain documents: sums and differences in turn, worked rows that add up, never a held-out problem', (t) => {
  const docs = gen({ family: 'columns', columns: { width: 3, minDigits: 2, layout: 'aligned' }, split: 'pretrain', count: 400 } as never) as Array<{ prompt: string; completion: string }>;
  const heldOut = new Set<string>();
  for (const split of ['test', 'candidates'] as const) for (const p of gen({ family: 'columns', columns: { width: 3, minDigits: 2 }, split, count: 2000 } as never) as PreferencePair[]) heldOut.add(p.prompt);
  for (const p of gen({ family: 'columns', columns: { width: 3, minDigits: 2 }, split: 'adapt-test', count: 2000 } as never) as PreferencePair[]) heldOut.add(p.prompt);
  // The problem is the line `Q: <problem>`.
  const problem = (d: { prompt: string }): string => /^Q: (.*)\n/.exec(d.prompt)![1]!;
  t.is(new Set(docs.map((d) => d.prompt)).size, docs.length);
  for (const d of docs) t.false(heldOut.has(problem(d)), `${d.prompt} is a held-out problem`);
  docs.forEach((d, i) => {
    t.regex(d.prompt, /^Q: [^\n]*\n {1}$/, 'the problem line, then the rows after a newline and a gap of 1 space (gap 1, the default)');
    const [xs, op, ys] = problem(d).split(/ ([-+]) /);
    t.is(op, i % 2 === 0 ? '+' : '-');
    const rows = d.completion.split('\n');
    t.deepEqual(rows.map((r) => r[0]), op === '+' ? ['x', 'y', 'c', 's'] : ['x', 'y', 'b', 'd']);
    const want = op === '+' ? num(xs!) + num(ys!) : num(xs!) - num(ys!);
    t.is(num(rows[3]!.slice(2)), want, `${d.prompt}: ${rows[3]}`);
  });
  t.throws(() => verifiableMathOptionsSchema.parse({ split: 'pretrain' }), { message: /split pretrain needs family: columns/ });
  // With gap g the rows start after a newline and 1..g spaces, drawn per document; compare documents show two claims.
  const gapped = gen({ family: 'columns', columns: { width: 3, minDigits: 2, layout: 'aligned', gap: 8, compareShare: 1 }, split: 'pretrain', count: 200 } as never) as Array<{ prompt: string; completion: string }>;
  const gaps = new Set(gapped.map((d) => /\n( *)$/.exec(d.prompt)![1]!.length));
  t.deepEqual([...gaps].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  let neighbours = 0, claims = 0;
  for (const d of gapped) {
    t.false(heldOut.has(problem(d)), `${d.prompt} is a held-out problem`);
    const [, a, b] = /^Q: [^\n]*\nA: (\d(?: \d)*)\nB: (\d(?: \d)*)\n/.exec(d.prompt)!;
    const s = d.completion.split('\n')[3]!.slice(2).split(' ').map(Number);
    for (const claim of [a!, b!]) {
      claim.split(' ').map(Number).forEach((v, i) => {
        claims++;
        if (Math.abs(v - s[i]!) === 1 || Math.abs(v - s[i]!) === 9) neighbours++;
      });
    }
    const rows = d.completion.split('\n');
    t.deepEqual(rows.map((r) => r[0]), [...'xy', ...(d.prompt.includes('+') ? 'cs' : 'bd'), 'A', 'B', 'm']);
    t.deepEqual(rows.slice(4, 6), [`A ${a}`, `B ${b}`]);
  }
  // Half the claimed digits are wrong, and half of those by one (as a carry error gives): about 0.25 + 0.25 * 2/9.
  t.true(neighbours / claims > 0.25 && neighbours / claims < 0.36, `${neighbours} of ${claims} claimed digits are neighbours of the true one`);
});
