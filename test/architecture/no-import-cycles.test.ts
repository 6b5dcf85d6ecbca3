// core/ and plugins/ have no import cycles: every static import and re-export between their files, `import type`
// included, read from the .ts sources, forms a DAG. A failure names each cycle's files in order.
import test from 'ava';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCycle, findCycles, importGraph, importSpecifiers } from './import-graph.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('core/ has no import cycles (static and type-only imports, re-exports)', (t) => {
  const root = join(repo, 'core');
  const graph = importGraph(root, '.ts');
  t.true(graph.size > 100, `read only ${graph.size} .ts files under ${root}`);
  t.true(graph.get(join(root, 'model', 'generate.ts'))!.includes(join(root, 'model', 'model-runner.ts')), 'type-only import of generate.ts not seen');
  const cycles = findCycles(graph).map((c) => describeCycle(c, root));
  t.deepEqual(cycles, [], `import cycles in core/:\n${cycles.join('\n')}`);
});

test('plugins/ have no import cycles (static and type-only imports, re-exports)', (t) => {
  const root = join(repo, 'plugins');
  const graph = importGraph(root, '.ts');
  t.true(graph.size > 100, `read only ${graph.size} .ts files under ${root}`);
  const vm = join(root, 'verifiable-math');
  t.true(graph.get(join(vm, 'generate.ts'))!.includes(join(vm, 'column-split.ts')), 'generate.ts -> column-split.ts not seen');
  const cycles = findCycles(graph).map((c) => describeCycle(c, root));
  t.deepEqual(cycles, [], `import cycles in plugins/:\n${cycles.join('\n')}`);
});

test('the import reader sees every static form and ignores dynamic imports and packages', (t) => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from './b.js';",
    'import {',
    '  c,',
    '  type C,',
    "} from '../c.js';",
    "export { d } from './d.js';",
    "export * from './e.js';",
    "export type { F } from './f.js';",
    "import './side-effect.js';",
    "import { readFileSync } from 'node:fs';",
    "const later = await import('./dynamic.js');",
    "export const s = 'not/an/import.js';",
  ].join('\n');
  t.deepEqual(importSpecifiers(text), ['./a.js', './b.js', '../c.js', './d.js', './e.js', './f.js', './side-effect.js']);
});

test('a cycle, type-only or through a re-export, is found and reported with its files', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gramr-cycles-'));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, 'a.ts'), "import type { B } from './sub/b.js';\nexport const a = 1;\n");
  writeFileSync(join(root, 'sub', 'b.ts'), "export { c } from '../c.js';\nexport type B = number;\n");
  writeFileSync(join(root, 'c.ts'), "import { a } from './a.js';\nexport const c = a;\n");
  writeFileSync(join(root, 'd.ts'), "import { a } from './a.js';\nexport const d = a;\n");
  const cycles = findCycles(importGraph(root, '.ts')).map((c) => describeCycle(c, root));
  t.is(cycles.length, 1);
  const files = cycles[0]!.split(' -> ');
  t.is(files[0], files[files.length - 1]);
  t.deepEqual(new Set(files), new Set(['a.ts', join('sub', 'b.ts'), 'c.ts']));
});
