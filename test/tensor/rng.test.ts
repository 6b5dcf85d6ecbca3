// The seeded RNG: reproducible streams, ranges and rough distribution checks, forks and saved state; and
// seeded initializers giving identical arrays for identical seeds.
import test from 'ava';
import { Rng, normalInit, xavierUniform } from '../../core/tensor/index.js';

test('same seed, same sequence; different seed, different sequence', (t) => {
  const a = new Rng(123), b = new Rng(123), c = new Rng(124);
  const sa = Array.from({ length: 50 }, () => a.nextUint32());
  t.deepEqual(Array.from({ length: 50 }, () => b.nextUint32()), sa);
  t.notDeepEqual(Array.from({ length: 50 }, () => c.nextUint32()), sa);
  t.true(sa.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
});

test('nextFloat, int and normal have the right ranges and moments', (t) => {
  const r = new Rng(7);
  const n = 20000;
  const f = Array.from({ length: n }, () => r.nextFloat());
  t.true(f.every((x) => x >= 0 && x < 1 && Math.fround(x) === x));
  t.true(Math.abs(f.reduce((a, b) => a + b) / n - 0.5) < 0.01);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) counts[r.int(5)]!++;
  t.true(counts.every((k) => Math.abs(k - n / 5) < 300), `counts ${counts}`);
  const z = Array.from({ length: n }, () => r.normal(1, 2));
  const mean = z.reduce((a, b) => a + b) / n;
  const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  t.true(Math.abs(mean - 1) < 0.05 && Math.abs(sd - 2) < 0.05, `mean ${mean} sd ${sd}`);
  t.throws(() => r.int(0), { message: /Rng.int: n must be an integer in \[1, 2\^32\]/ });
});

test('fork gives independent reproducible streams; state round-trips', (t) => {
  const r = new Rng(5);
  const f1 = r.fork(1), f1b = new Rng(5).fork(1), f2 = r.fork(2);
  const take = (g: Rng): number[] => Array.from({ length: 10 }, () => g.nextUint32());
  t.deepEqual(take(f1), take(f1b));
  t.notDeepEqual(take(new Rng(5).fork(1)), take(f2));
  r.normal();
  const saved = r.getState();
  const next = [r.normal(), r.normal(), r.nextFloat()];
  r.setState(saved);
  t.deepEqual([r.normal(), r.normal(), r.nextFloat()], next);
});

test('initializers are deterministic given the seed', (t) => {
  t.deepEqual(normalInit(new Rng(1), [3, 4], 0.02), normalInit(new Rng(1), [3, 4], 0.02));
  const x = xavierUniform(new Rng(2), [10, 30]);
  const bound = Math.sqrt(6 / 40);
  t.true(x.every((v) => Math.abs(v) <= bound));
  t.notDeepEqual(normalInit(new Rng(1), [4]), normalInit(new Rng(2), [4]));
});
