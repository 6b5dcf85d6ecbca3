// The SFT example builder (prompt masked with ignore-index, the length rule: prompt cut from the left with BOS kept,
// target never cut, drops counted) and length bucketing (quantile buckets, seeded epoch order, pure positions).
import test from 'ava';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';
import { BatchStream, bucketOf, groupByBucket, planBuckets, sequentialBatches } from '../../core/training/buckets.js';
import { buildSftSequence, IGNORE_INDEX, sftTargets, type SftSequence } from '../../core/training/sft-example.js';

const tok = new ByteTokenizer();
const B = ByteTokenizer.BOS, E = ByteTokenizer.EOS;
const ch = (s: string): number[] => [...Buffer.from(s)];

test('prompt + target become ids with the prompt masked; the last position and padding are ignored', (t) => {
  const seq = buildSftSequence(tok, { prompt: '<|user|>\nhi\n<|assistant|>\n', target: 'ok' }, { maxLength: 64 }) as SftSequence;
  t.deepEqual(seq.ids, [B, ...ch('<|user|>\nhi\n<|assistant|>\n'), ...ch('ok'), E]);
  t.is(seq.promptLength, 1 + 26);
  t.false(seq.shortened);
  const tg = sftTargets(seq, 32);
  // position promptLength-1 (the prompt's last token) predicts 'o'; then 'k'; then EOS; everything else is ignored
  t.deepEqual([...tg.slice(25, 31)], [IGNORE_INDEX, ch('o')[0], ch('k')[0], E, IGNORE_INDEX, IGNORE_INDEX]);
  t.is(tg.filter((x) => x !== IGNORE_INDEX).length, 3);
  const noEos = buildSftSequence(tok, { prompt: 'q', target: 'a' }, { maxLength: 8, addEos: false }) as SftSequence;
  t.deepEqual(noEos.ids, [B, ...ch('qa')]);
});

test('length rule: the prompt loses tokens from the left after BOS; the target is never cut; drops say why', (t) => {
  const ex = { prompt: 'abcdefgh', target: 'XYZ' };
  const cut = buildSftSequence(tok, ex, { maxLength: 8 }) as SftSequence;
  t.deepEqual(cut.ids, [B, ...ch('fgh'), ...ch('XYZ'), E]);
  t.is(cut.ids.length, 8);
  t.is(cut.promptLength, 4);
  t.true(cut.shortened);
  const tight = buildSftSequence(tok, ex, { maxLength: 6 }) as SftSequence;
  t.deepEqual(tight.ids, [B, ...ch('h'), ...ch('XYZ'), E]);
  const tooLong = buildSftSequence(tok, ex, { maxLength: 5 });
  t.true('dropped' in tooLong);
  t.regex((tooLong as { dropped: string }).dropped, /target alone has 4 tokens.*maxLength 5/);
  const drop = buildSftSequence(tok, ex, { maxLength: 8, truncation: 'drop' });
  t.regex((drop as { dropped: string }).dropped, /13 tokens exceed maxLength 8 \(truncation: drop\)/);
});

test('buckets: quantile lengths rounded up to multiples of 8, capped, and every length has a bucket', (t) => {
  const lengths = [3, 4, 5, 6, 9, 10, 12, 20, 30, 61];
  const b = planBuckets(lengths, 4, 64);
  t.deepEqual(b, [8, 16, 24, 64]);
  t.is(bucketOf(6, b), 8);
  t.is(bucketOf(17, b), 24);
  t.is(bucketOf(25, b), 64);
  t.deepEqual(planBuckets(lengths, 1, 64), [64]);
  t.deepEqual(planBuckets([50, 60], 2, 60), [56, 60]);
  t.throws(() => planBuckets([70], 2, 64), { message: /length 70 exceeds maxLength 64/ });
  const groups = groupByBucket(lengths, b);
  t.deepEqual([...groups.entries()], [[8, [0, 1, 2, 3]], [16, [4, 5, 6]], [24, [7]], [64, [8, 9]]]);
  t.deepEqual(sequentialBatches(groups, 3).map((x) => [x.length, x.items]), [[8, [0, 1, 2]], [8, [3]], [16, [4, 5, 6]], [24, [7]], [64, [8, 9]]]);
});

test('batch stream: seeded, every example once per epoch, epochs differ, positions are pure', (t) => {
  const lengths = Array.from({ length: 23 }, (_, i) => 1 + (i % 20));
  const groups = groupByBucket(lengths, planBuckets(lengths, 3, 32));
  const a = new BatchStream(groups, 4, 9), b = new BatchStream(groups, 4, 9), c = new BatchStream(groups, 4, 10);
  t.is(a.perEpoch, [...groups.values()].reduce((n, g) => n + Math.ceil(g.length / 4), 0));
  const epoch = (s: BatchStream, e: number): number[][] => Array.from({ length: s.perEpoch }, (_, i) => s.at(e * s.perEpoch + i).items);
  t.deepEqual(epoch(a, 0).flat().sort((x, y) => x - y), lengths.map((_, i) => i));
  t.deepEqual(epoch(a, 1).flat().sort((x, y) => x - y), lengths.map((_, i) => i));
  t.notDeepEqual(epoch(a, 0), epoch(a, 1));
  t.notDeepEqual(epoch(a, 0), epoch(c, 0));
  // random access (as after a resume) gives the same batch as sequential reading
  t.deepEqual(b.at(a.perEpoch + 2), a.at(a.perEpoch + 2));
  for (const mb of epoch(a, 0).map((_, i) => a.at(i))) t.true(mb.items.every((i) => lengths[i]! <= mb.length));
});
