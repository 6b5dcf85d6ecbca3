// llama2.c's run.c as a peer of `gramr bench generate`: found in the peers folder (`--peers DIR`, else the
// GRAMR_PEERS env var, else ../shared/peers), built with its build.sh into a temporary folder, and run on the same
// stories260K files with the same prompt and length; its "achieved tok/s" line is the figure, its text is checked.
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The llama2.c builds (gcc -O3, and -Ofast -march=native) and the folder holding them. */
export interface Llama2cBuild {
  /** `run-O3`: the build llama2.c's README uses. */
  o3: string;
  /** `run-fast`: its fastest single-threaded build. */
  fast: string;
  /** Removes the temporary build folder. */
  remove(): Promise<void>;
}

/** One run of a llama2.c build. */
export interface Llama2cRun {
  /** Its own "achieved tok/s" (positions per second after the first, prompt positions included: it has no batched prefill). */
  tokensPerS: number;
  /** What it printed: the prompt and the continuation. */
  text: string;
}

/** The peers folder: `dir`, else GRAMR_PEERS, else ../shared/peers (relative to the working directory). */
export function peersDir(dir?: string): string {
  return path.resolve(dir ?? process.env.GRAMR_PEERS ?? '../shared/peers');
}

/** The llama2c folder inside the peers folder, or why there is none (a sentence for the report). */
export async function findLlama2c(dir?: string): Promise<{ dir: string } | { absent: string }> {
  const root = path.join(peersDir(dir), 'llama2c');
  for (const f of ['run.c', 'build.sh']) {
    const ok = await access(path.join(root, f)).then(() => true, () => false);
    if (!ok) return { absent: `llama2.c not found (${path.join(root, f)} is missing; set --peers or GRAMR_PEERS to a folder holding llama2c/run.c and build.sh)` };
  }
  return { dir: root };
}

/** Builds run.c with the folder's build.sh into a new temporary folder (needs bash and gcc). */
export async function buildLlama2c(dir: string): Promise<Llama2cBuild> {
  const out = await mkdtemp(path.join(tmpdir(), 'gramr-llama2c-'));
  try {
    await run('bash', [path.join(dir, 'build.sh'), out], { timeout: 120_000 });
  } catch (e) {
    await rm(out, { recursive: true, force: true });
    throw new Error(`llama2.c: ${path.join(dir, 'build.sh')} failed: ${(e as Error).message}`);
  }
  return { o3: path.join(out, 'run-O3'), fast: path.join(out, 'run-fast'), remove: () => rm(out, { recursive: true, force: true }) };
}

/** Runs a build greedily (`-t 0`) for `steps` positions (prompt included) and reads its tokens/s from stderr. */
export async function runLlama2c(bin: string, model: string, tokenizer: string, prompt: string, steps: number): Promise<Llama2cRun> {
  const { stdout, stderr } = await run(bin, [model, '-z', tokenizer, '-t', '0', '-n', String(steps), '-i', prompt], { timeout: 60_000 });
  const m = /achieved tok\/s: ([0-9.]+)/.exec(stderr);
  if (m === null) throw new Error(`llama2.c: ${bin} printed no "achieved tok/s" line; stderr: ${stderr.slice(0, 300)}`);
  return { tokensPerS: Number(m[1]), text: stdout };
}

/**
 * Checks llama2.c's text against gramr's greedy text (prompt + continuation): one must start with the other after
 * trimming (llama2.c stops early at a BOS token). Throws showing both when they differ.
 */
export function checkLlama2cText(peer: string, gramr: string): void {
  const a = peer.trim(), b = gramr.trim();
  const n = Math.min(a.length, b.length);
  if (n < 40 || a.slice(0, n) !== b.slice(0, n)) {
    throw new Error(`llama2.c's greedy text differs from gramr's:\n  llama2.c: ${JSON.stringify(a.slice(0, 300))}\n  gramr:    ${JSON.stringify(b.slice(0, 300))}`);
  }
}
