// Test helpers for pipeline tests: temporary folders, writing pipeline files, running the CLI as a child process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Repo root (ava runs tests with cwd = repo root). */
export const repoRoot = process.cwd();
/** The compiled CLI. */
export const cliPath = path.join(repoRoot, 'dist/cli/main.js');

/** A fresh temporary folder outside the repo. */
export function tempDir(prefix = 'gramr-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Write `text` to `dir/name` and return the path. */
export function writeIn(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Run the CLI synchronously; returns exit code and output. */
export function cli(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI in the background. */
export function cliSpawn(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Write `count.mjs` into `dir`: a plugin with the stage kind `count-to` ({n, to, sleepMs?}) writing records
 * {id, i, square, text} for i < n, deterministic, flushing and sleeping `sleepMs` (default 5) every 50 records so a
 * kill lands mid-run. With `gate`, it waits halfway until that file (relative to the pipeline) exists; with
 * `failAt`, it throws after that record; `timeoutS` is accepted and unused; both are execution-only. It resumes from `writer.count`.
 */
export function writeCountPlugin(dir: string): string {
  const gramr = pathToFileURL(path.join(repoRoot, 'dist/core/index.js')).href;
  return writeIn(dir, 'count.mjs', `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerModule, contributeKind, z } from '${gramr}';
class CountTo {
  kind = 'count-to';
  inputs(o) { return o.after ? [o.after] : []; }
  outputs(o) { return [{ name: o.to, kind: 'records' }]; }
  async run(o, ctx) {
    const w = await ctx.artifacts.recordWriter(o.to);
    for (let i = w.count; i < o.n; i++) {
      ctx.signal.throwIfAborted();
      await w.append({ id: 'r' + i, i, square: i * i, text: 'x'.repeat(i % 97) });
      if (i % 50 === 49) { await w.flush(); await new Promise((r) => setTimeout(r, o.sleepMs)); }
      if (o.gate && i === Math.floor(o.n / 2)) {
        while (!existsSync(join(ctx.baseDir, o.gate))) { ctx.signal.throwIfAborted(); await new Promise((r) => setTimeout(r, 20)); }
      }
      if (o.failAt !== undefined && i === o.failAt) throw new Error('failing on purpose at record ' + i);
      ctx.progress.update({ done: i + 1, total: o.n });
    }
    return { metrics: { written: o.n } };
  }
}
export default new ContainerModule((options) => {
  contributeKind(options, 'count', { point: 'Stage', kind: 'count-to', description: 'writes n records',
    schema: z.object({ n: z.number().int(), to: z.string(), after: z.string().optional(), sleepMs: z.number().default(5),
      failAt: z.number().int().optional(), gate: z.string().optional(), timeoutS: z.number().optional() }).strict(),
    executionKeys: ['timeoutS', 'gate'], impl: () => new CountTo() });
});
`);
}
