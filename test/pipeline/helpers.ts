// Test helpers for pipeline tests: temporary folders, writing pipeline files, running the CLI as a child process.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

/** Repo root (ava runs tests with cwd = repo root). */
export const repoRoot = process.cwd();
/** The compiled CLI. */
export const cliPath = path.join(repoRoot, 'dist/core/cli/main.js');

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
