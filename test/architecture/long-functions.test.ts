// No function body in core/, plugins/ or backends/ is longer than 60 lines unless the comment above it says why
// (a line starting `Long because:`; see docs/architecture.md). Read with the TypeScript compiler's parser.
import test from 'ava';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasReason, longFunctions } from './long-functions.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_LINES = 60;

test(`core/, plugins/ and backends/ have no function over ${MAX_LINES} lines without a reason`, (t) => {
  const found = longFunctions(repo, ['core', 'plugins', 'backends'], MAX_LINES);
  const offenders = found.filter((f) => !f.excused).map((f) => `${f.id} (${f.lines} lines)`);
  t.deepEqual(offenders, [], `split these, or put a line starting "Long because:" with the reason in the comment above:\n${offenders.join('\n')}`);
  t.true(found.some((f) => f.excused), 'no excused long function seen: the comment reader is broken');
});

test('the checker names long functions, methods and arrows and honours only a stated reason', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gramr-long-'));
  try {
    mkdirSync(join(dir, 'src'));
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `  x += ${i};`).join('\n');
    writeFileSync(join(dir, 'src', 'a.ts'), [
      `export function long(): number {\n  let x = 0;\n${body(60)}\n  return x;\n}`,
      `export function short(): number {\n  let x = 0;\n${body(56)}\n  return x;\n}`,
      `/**\n * Does things.\n * Long because: a table that reads best in one piece.\n */\nexport function excused(): number {\n  let x = 0;\n${body(60)}\n  return x;\n}`,
      `// Long because:\nexport function emptyReason(): number {\n  let x = 0;\n${body(60)}\n  return x;\n}`,
      `export class K {\n  // Long because: one state machine.\n  run(): number {\n    let x = 0;\n${body(60)}\n    return x;\n  }\n}`,
      `export const table = {\n  entry: (): number => {\n    let x = 0;\n${body(60)}\n    return x;\n  },\n};`,
    ].join('\n\n'));
    const found = longFunctions(dir, ['src'], MAX_LINES);
    t.deepEqual(found.map((f) => [f.id, f.lines, f.excused]), [
      ['src/a.ts:emptyReason', 64, false],
      ['src/a.ts:entry', 64, false],
      ['src/a.ts:excused', 64, true],
      ['src/a.ts:K.run', 64, true],
      ['src/a.ts:long', 64, false],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reason is a marker line with words after it', (t) => {
  t.true(hasReason('// Long because: one WGSL shader.'));
  t.true(hasReason('/**\n * Parses.\n * Long because: one table.\n */'));
  t.false(hasReason('// Long because:'));
  t.false(hasReason('// This is long because: reasons'), 'the marker must start the line');
  t.false(hasReason('// A helper.'));
});
