// The dependency rule between the top-level folders, read from the .ts sources: core/ imports nothing from
// plugins/, backends/, cli/ or bench/ (static imports, `import type`, re-exports, dynamic `import(…)` and
// `new URL(…, import.meta.url)` alike), and plugins/ and backends/ never import cli/. A failure names each file
// and what it imports.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dynamicSpecifiers, importSpecifiers, resolveSpecifier } from './import-graph.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** Every .ts source under `dir` (declarations excluded). */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(dir, f));
}

/** `file -> target` for each relative specifier of the files under `from` that lands in one of `forbidden`. */
function violations(from: string, forbidden: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of sources(join(repo, from))) {
    const text = readFileSync(file, 'utf8');
    for (const spec of [...importSpecifiers(text), ...dynamicSpecifiers(text)]) {
      const top = relative(repo, resolveSpecifier(file, spec, false)).split(sep)[0]!;
      if (forbidden.includes(top)) out.push(`${relative(repo, file)} -> ${spec}`);
    }
  }
  return out;
}

test('core/ imports nothing from plugins/, backends/, cli/ or bench/, statically or at run time', (t) => {
  t.true(sources(join(repo, 'core')).length > 100, 'read too few files under core/');
  const found = violations('core', ['plugins', 'backends', 'cli', 'bench']);
  t.deepEqual(found, [], `core/ must not import these (move the code, or have the application pass it in):\n${found.join('\n')}`);
});

test('plugins/ and backends/ never import cli/', (t) => {
  const found = [...violations('plugins', ['cli']), ...violations('backends', ['cli'])];
  t.deepEqual(found, [], `the application layer is imported by:\n${found.join('\n')}`);
});

test('the run-time import reader sees import(…) and new URL(…, import.meta.url), and nothing else', (t) => {
  const text = [
    "const a = await import('../../plugins/a.js');",
    'const b = await import(`../../backends/b.js`);',
    "type C = typeof import('../cli/c.js');",
    "const d = new URL('../../plugins/d/index.js', import.meta.url);",
    'const e = new URL(`../bench/e.js`, import.meta.url).href;',
    "const f = await import('onnxruntime-node');",
    "const g = new URL('https://example.invalid/x.js');",
    "import { h } from './h.js';",
  ].join('\n');
  t.deepEqual(dynamicSpecifiers(text), ['../../plugins/a.js', '../../backends/b.js', '../cli/c.js', '../../plugins/d/index.js', '../bench/e.js']);
});
