// The reversible rationale <-> proof transformation and the rule checks on proofs (plugins/prover), on every
// rationale of the verifiable-math seed split and on hand-made bad proofs.
import test from 'ava';
import { generateSplit, verifiableMathOptionsSchema } from '../../plugins/verifiable-math/index.js';
import type { RationaleExample } from '../../core/data/records.js';
import { parseProof, proofToRationale, rationaleToProof } from '../../plugins/prover/proof-layout.js';
import { checkProof, DEFAULT_RULE_LIMITS, PROOF_RULES, type ProofRuleLimits } from '../../plugins/prover/proof-rules.js';

const seed = [...generateSplit(verifiableMathOptionsSchema.parse({ split: 'seed', count: 300 }))] as RationaleExample[];

test('rationale -> proof -> rationale is the identity on every seed rationale', (t) => {
  t.is(seed.length, 300);
  for (const ex of seed) {
    const proof = rationaleToProof(ex.rationale, ex.label);
    t.true(proof.startsWith(`Claim: ${ex.label} is better.\n`));
    t.true(proof.endsWith(`\nHence ${ex.label} is better.`));
    t.is(proofToRationale(proof), ex.rationale);
    // The other label's proof of the same rationale round-trips too (the layout never looks inside z).
    const other = ex.label === 'A' ? 'B' : 'A';
    t.is(proofToRationale(rationaleToProof(ex.rationale, other)), ex.rationale);
  }
});

test('the layout round-trips awkward rationales: empty, multi-line, ones that mimic the frame', (t) => {
  const odd = ['', '\n', 'line 1\nline 2\n', 'Claim: B is better.\nx', 'x\nHence B is better.', 'Hence A is better.', '  spaced  ', 'ünïcödé ✓'];
  for (const z of odd) {
    for (const l of ['A', 'B'] as const) {
      const p = parseProof(rationaleToProof(z, l));
      t.deepEqual(p, { claim: l, conclusion: l, rationale: z }, JSON.stringify(z));
    }
  }
});

test('text that is not in the layout does not parse', (t) => {
  for (const bad of ['', 'A is better.', 'Claim: A is better.', 'Claim: A is better.\nHence A is better.', 'Claim: C is better.\nz\nHence C is better.',
    'claim: A is better.\nz\nHence A is better.', 'Claim: A is better.\nz\nHence A is better. ']) {
    t.is(parseProof(bad), undefined, JSON.stringify(bad));
  }
});

const limits: ProofRuleLimits = { ...DEFAULT_RULE_LIMITS, maxRationaleBytes: 100 };

test('each rule drops what it should, and a good proof passes every rule', (t) => {
  const ex = seed[0]!;
  const other = ex.label === 'A' ? 'B' : 'A';
  const good = rationaleToProof(ex.rationale, ex.label);
  t.deepEqual(checkProof(good, ex, ex.label, 'eos', { ...limits, content: 'verifiable-math' }), { rationale: ex.rationale });
  const cases: Array<[string, 'eos' | 'length', string, Partial<ProofRuleLimits>?]> = [
    ['   ', 'eos', 'empty'],
    [good, 'length', 'truncated'],
    [ex.rationale, 'eos', 'structure'],
    [rationaleToProof('  ', ex.label), 'eos', 'structure'],
    [rationaleToProof('x'.repeat(101), ex.label), 'eos', 'length'],
    [rationaleToProof(ex.rationale, other), 'eos', 'label'],
    [`Claim: ${ex.label} is better.\n${ex.rationale}\nHence ${other} is better.`, 'eos', 'label'],
    [rationaleToProof(`It says: ${ex.prompt}`, ex.label), 'eos', 'copies-input'],
    [rationaleToProof(`A wrote ${ex.a} so`, ex.label), 'eos', 'copies-input'],
    [rationaleToProof('A: 1+1=3 ok. B: steps ok. A is right.', ex.label), 'eos', 'content', { content: 'verifiable-math' }],
  ];
  // What each rule's detail must tell a person.
  const details: Record<string, RegExp> = {
    empty: /^the proof is empty$/, truncated: /cut at maxTokens or the context limit/,
    structure: /proof layout "Claim: <A\|B> is better|rationale between the claim and the closing line is empty/,
    length: /^the rationale has 101 bytes; at most 100 are allowed$/, label: new RegExp(`it must justify ${ex.label}$`),
    'copies-input': /^the rationale repeats the whole (prompt|response( A| B)?)/, content: /1\+1=3|1\+1/,
  };
  for (const [proof, finish, rule, extra] of cases) {
    const r = checkProof(proof, ex, ex.label, finish, { ...limits, ...extra });
    t.is(r.failed as string | undefined, rule, `${JSON.stringify(proof)} should fail ${rule}: ${r.detail}`);
    t.regex(r.detail ?? '', details[rule]!, `${rule}: ${r.detail}`);
  }
  // Without the content check, a wrong-arithmetic rationale passes the structural rules.
  t.is(checkProof(rationaleToProof('A: 1+1=3 ok. B: steps ok. A is right.', ex.label), ex, ex.label, 'eos', limits).failed, undefined);
  t.deepEqual([...PROOF_RULES], ['empty', 'truncated', 'structure', 'length', 'label', 'copies-input', 'content']);
});

test('the content check passes every reference rationale of the seed split', (t) => {
  let passed = 0;
  for (const ex of seed) {
    if (checkProof(rationaleToProof(ex.rationale, ex.label), ex, ex.label, 'eos', { ...limits, content: 'verifiable-math' }).failed === undefined) passed++;
  }
  t.is(passed, seed.length);
});
