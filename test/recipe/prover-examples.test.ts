// The prover's SFT data and prompts (plugins/prover): (s, l) -> proof examples with the label in the prompt and the
// proof layout as target, a stable share of context-free copies, pair seeds; and clear errors for bad stage input.
import { withoutMarks } from '../../core/model/tokenizer/untrusted-text.js';
import test from 'ava';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';
import { ConfigError, WorkError } from '../../core/errors.js';
import { proofToRationale } from '../../plugins/prover/proof-layout.js';
import { sftProverSchema } from '../../plugins/prover/prover-options.js';
import { renderProverMessage } from '../../plugins/prover/prover-prompt.js';
import { renderUserMessage } from '../../core/reward/prompts.js';
import { proverSftExamples, unitHash } from '../../plugins/prover/sft-prover.js';
import { pairSeed } from '../../plugins/prover/synthesize-proofs.js';
import { tempDir } from './helpers.js';
import { pipelineText, runIn, sumExamples } from './pipeline-helpers.js';

const tok = new ByteTokenizer();
const examples = sumExamples(400, 3);

test('prover SFT examples: the label is in the prompt, the target is the proof, ~10% get a context-free copy', (t) => {
  const o = sftProverSchema.parse({});
  const sft = proverSftExamples(examples, o, tok);
  const alone = sft.filter((e) => e.id.endsWith('#alone'));
  const main = sft.filter((e) => !e.id.endsWith('#alone'));
  t.is(main.length, examples.length);
  main.forEach((e, i) => {
    const ex = examples[i]!;
    t.is(withoutMarks(e.prompt), `<|user|>\n${renderProverMessage('compact', ex, ex.label)}\n<|assistant|>\n`);
    t.true(e.prompt.includes(`\nBetter: ${ex.label}\n`));
    t.is(proofToRationale(withoutMarks(e.target)), ex.rationale);
    t.true(withoutMarks(e.target).startsWith(`Claim: ${ex.label} is better.\n`));
  });
  t.true(alone.length > 20 && alone.length < 60, `${alone.length} of 400 context-free copies (rate 0.1)`);
  for (const a of alone) {
    t.is(a.prompt, '<bos>');
    t.deepEqual(tok.encode(a.prompt), [ByteTokenizer.BOS]);
    t.is(a.target, main.find((m) => `${m.id}#alone` === a.id)!.target);
  }
  // Which examples get a copy depends on the id only, not on the order or the other examples.
  const again = proverSftExamples([...examples].reverse(), o, tok).filter((e) => e.id.endsWith('#alone')).map((e) => e.id).sort();
  t.deepEqual(again, alone.map((e) => e.id).sort());
  t.is(proverSftExamples(examples, { ...o, unconditionalRate: 0 }, tok).length, examples.length);
  t.true(unitHash('x') >= 0 && unitHash('x') < 1);
});

test('the prover prompts show the pair exactly as the judge prompts do, with the label to prove after it', (t) => {
  const pair = { prompt: 'Is 2+2 4?', a: 'Yes.', b: 'No, 5.' };
  const judge = renderUserMessage('gram-r2', { userInput: pair.prompt, first: pair.a, second: pair.b });
  const full = renderProverMessage('full', pair, 'A');
  const shown = judge.slice(judge.lastIndexOf('[User Question]'));
  t.true(shown.startsWith('[User Question]\nIs 2+2 4?\n') && shown.endsWith("No, 5.\n[The End of Assistant B's Response]"));
  t.true(full.endsWith(`\n\n${shown}\n\n[Better Response]\nA`));
  const compactJudge = renderUserMessage('compact', { userInput: pair.prompt, first: pair.a, second: pair.b });
  t.is(compactJudge, 'Which response is better?\nQ: Is 2+2 4?\nA: Yes.\nB: No, 5.');
  t.is(renderProverMessage('compact', pair, 'B'), 'Prove the preference.\nQ: Is 2+2 4?\nA: Yes.\nB: No, 5.\nBetter: B');
});

test('pair seeds depend on the seed and the id only', (t) => {
  t.is(pairSeed(0, 'a'), pairSeed(0, 'a'));
  t.not(pairSeed(0, 'a'), pairSeed(1, 'a'));
  t.not(pairSeed(0, 'a'), pairSeed(0, 'b'));
  t.true(Number.isInteger(pairSeed(3, 'z')) && pairSeed(3, 'z') >= 0 && pairSeed(3, 'z') < 2 ** 31);
});

test('bad stage input: a record without a rationale, an unknown trainer kind, bad trainer options', async (t) => {
  const dir = tempDir(t);
  const stage = (trainer: string): string => `  - stage: train-prover
    from: seed
    to: prover
    init: { scratch: { hiddenSize: 16, layers: 1, heads: 2, intermediate: 32, maxPositions: 64 } }
    trainer: ${trainer}
`;
  const noRationale = [examples[0]!, { ...examples[1]!, rationale: undefined }];
  const e1 = await t.throwsAsync(runIn(dir, pipelineText(dir, 'p1', { seed: { kind: 'inline', records: noRationale } }, stage('{ steps: 1 }')), { file: 'p1.yaml' }), { instanceOf: WorkError });
  t.regex(e1!.message, /record 1 \(id "sum:1"\): field "rationale" must be a string, got undefined/);
  const e2 = await t.throwsAsync(runIn(dir, pipelineText(dir, 'p2', { seed: { kind: 'inline', records: examples.slice(0, 4) } }, stage('{ kind: adam, steps: 1 }')), { file: 'p2.yaml' }), { instanceOf: ConfigError });
  t.regex(e2!.message, /unknown Trainer kind "adam"; valid kinds: full, lora/);
  const e3 = await t.throwsAsync(runIn(dir, pipelineText(dir, 'p3', { seed: { kind: 'inline', records: examples.slice(0, 4) } }, stage('{ steps: 1, lr: -1 }')), { file: 'p3.yaml' }), { instanceOf: ConfigError });
  t.regex(e3!.message, /Trainer "full" options are invalid/);
  t.regex(e3!.message, /lr/);
});
