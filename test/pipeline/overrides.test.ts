// `--set` overrides: values keep their YAML type, paths create what is missing, and keys that would reach
// JavaScript's object prototypes (`__proto__`, `constructor`, `prototype`) are refused with a ConfigError.
import test from 'ava';
import { applyOverrides, parseKeyPath } from '../../core/pipeline/overrides.js';
import { ConfigError } from '../../core/errors.js';

test('overrides write typed values at dotted and indexed paths', (t) => {
  const cfg = { stages: [{ stage: 'load' }, { stage: 'dataset-stats' }] };
  applyOverrides(cfg, ['stages[1].threshold=0.5', 'backend.prefer=[cpu]', 'stages.0.to=x']);
  t.deepEqual(cfg as unknown, { stages: [{ stage: 'load', to: 'x' }, { stage: 'dataset-stats', threshold: 0.5 }], backend: { prefer: ['cpu'] } });
});

for (const key of ['__proto__.polluted', 'constructor.prototype.polluted', 'a.__proto__.polluted', 'stages[0].prototype', 'x.constructor']) {
  test(`--set ${key}=yes is refused and pollutes nothing`, (t) => {
    const err = t.throws(() => applyOverrides({ a: {}, x: {}, stages: [{}] }, [`${key}=yes`]), { instanceOf: ConfigError });
    t.regex(err?.message ?? '', /refused/);
    t.is(err?.exitCode, 2);
    t.is(({} as Record<string, unknown>).polluted, undefined);
    t.is((Object.prototype as unknown as Record<string, unknown>).polluted, undefined);
  });
}

test('a key named like an inherited member (toString) is an ordinary new key, not the inherited function', (t) => {
  t.deepEqual(applyOverrides({}, ['toString.x=1']), { toString: { x: 1 } });
  t.deepEqual(parseKeyPath('a.b[2].c'), ['a', 'b', 2, 'c']);
});
