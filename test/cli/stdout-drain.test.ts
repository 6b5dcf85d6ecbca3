// Piped output is never cut: the CLI exits only after stdout is written out. A test plugin with a 1.5 MiB
// description makes `gramr plugins --json` print over 1.5 MiB into a pipe whose reader starts a second late;
// every byte must arrive, and a reader that leaves early (`| head`) is not an error.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliPath, repoRoot, tempDir, writeIn } from '../pipeline/helpers.js';

const DESCRIPTION_CHARS = 1536 * 1024;

function bigPluginDir(): string {
  const dir = tempDir('gramr-drain-');
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  writeIn(dir, 'big.mjs', `import { ContainerModule, contributeKind, z } from '${gramr}';
export default new ContainerModule((options) => {
  contributeKind(options, 'big', { point: 'Stage', kind: 'big-description', description: 'd'.repeat(${DESCRIPTION_CHARS}),
    schema: z.object({}).strict(), impl: class {} });
});
`);
  return dir;
}

function sh(script: string, cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NODE: process.execPath, CLI: cliPath } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('gramr plugins --json into a slow pipe delivers every byte (over 1.5 MiB)', (t) => {
  const dir = bigPluginDir();
  const r = sh('"$NODE" "$CLI" plugins --plugin ./big.mjs --json | (sleep 1; cat > out.json); echo "status ${?}"', dir);
  t.is(r.stdout.trim(), 'status 0', r.stderr);
  const bytes = readFileSync(path.join(dir, 'out.json'));
  t.true(bytes.length > DESCRIPTION_CHARS, `${bytes.length} bytes`);
  const listing = JSON.parse(bytes.toString('utf8')) as Array<{ point: string; kinds: Array<{ kind: string; description: string }> }>;
  const big = listing.find((p) => p.point === 'Stage')?.kinds.find((k) => k.kind === 'big-description');
  t.is(big?.description.length, DESCRIPTION_CHARS);
  t.is(bytes.length, Buffer.byteLength(JSON.stringify(listing, undefined, 2) + '\n'));
});

test('a reader that stops early (| head -c 100) ends the command quietly', (t) => {
  const dir = bigPluginDir();
  const r = sh('"$NODE" "$CLI" plugins --plugin ./big.mjs --json 2>err.txt | head -c 100 > /dev/null; cat err.txt', dir);
  t.is(r.stdout, '');
  t.is(r.code, 0);
});
