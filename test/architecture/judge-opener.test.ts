// The one JudgeOpener: the built-in plugins bind it exactly once, every stage and strategy that judges with a model
// is handed the bound one, and outside core/reward/judge-opener.ts no command, stage, server or worker source
// assembles a PairJudge or loads a ModelJudge by hand.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppContainer } from '../../cli/app.js';
import type { ExtensionPoint } from '../../core/di/identifiers.js';
import { JudgeOpenerId } from '../../core/di/identifiers.js';
import { judgeOpenerOf, ModelJudgeOpener, type JudgeOpener } from '../../core/reward/judge-opener.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('the built-in plugins bind one JudgeOpener, and judgeOpenerOf returns it', async (t) => {
  const c = await createAppContainer();
  const bound = c.container.getAll<JudgeOpener>(JudgeOpenerId);
  t.is(bound.length, 1);
  t.true(bound[0] instanceof ModelJudgeOpener);
  t.is(judgeOpenerOf(c), bound[0]);
});

test('judgeOpenerOf names the plugin to load when none binds it', async (t) => {
  const c = await createAppContainer([], { backendsOnly: true });
  t.throws(() => judgeOpenerOf(c), { message: /no JudgeOpener is bound: the grm plugin binds it/ });
});

test('each stage and strategy that opens judges is handed the bound JudgeOpener', async (t) => {
  const c = await createAppContainer();
  const spy: JudgeOpener = { loadModel: () => Promise.reject(new Error('spy')), open: () => Promise.reject(new Error('spy')) };
  c.container.unbind(JudgeOpenerId);
  c.container.bind<JudgeOpener>(JudgeOpenerId).toConstantValue(spy);
  const users: Array<[ExtensionPoint, string]> = [['Stage', 'evaluate'], ['Stage', 'rank'], ['Stage', 'self-train'], ['Stage', 'adapt'], ['SelfTrainingStrategy', 'gram-r2']];
  for (const [point, kind] of users) {
    const impl = c.get<object>(point, kind);
    t.true(Object.values(impl).includes(spy), `${point} ${kind} does not hold the bound JudgeOpener`);
  }
});

test('no source outside core/reward/judge-opener.ts builds a PairJudge or loads a ModelJudge by hand', (t) => {
  const found: string[] = [];
  let read = 0;
  for (const top of ['cli', 'core', 'plugins']) {
    for (const f of readdirSync(join(repo, top), { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts') || f.endsWith('.d.ts')) continue;
      const file = join(repo, top, f), rel = relative(repo, file);
      read++;
      if (rel === join('core', 'reward', 'judge-opener.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new PairJudge\(|ModelJudge\.load\(/g)) found.push(`${rel}: ${m[0]}`);
    }
  }
  t.true(read > 200, `read only ${read} sources`);
  t.deepEqual(found, [], `open judges through the JudgeOpener (core/reward/judge-opener.ts) instead:\n${found.join('\n')}`);
});
