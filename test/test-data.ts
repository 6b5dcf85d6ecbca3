// Where tests find their data. Shipped fixtures (stories260K, tokenizer.json files, slices of each benchmark) live in
// test/fixtures/data and are always there. The full benchmark sets live in the folder named by GRAMR_DATA (default: the
// data plugin's DEFAULT_DATA_FOLDER beside the repo root): tests of whole sets skip with the reason when it is absent, and fail instead
// when GRAMR_REQUIRE_DATA=1 (CI sets both), so a green CI always means the whole sets were checked.
import test, { type ExecutionContext } from 'ava';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { dataFolder } from '../plugins/data-sources/benchmark-data.js';

/** The repository root (ava runs tests there). */
export const REPO_ROOT = process.cwd();
/** The shipped data fixtures, mirroring the full data folder's layout. */
export const FIXTURE_DATA = path.join(REPO_ROOT, 'test/fixtures/data');

/** A shipped fixture, `rel` relative to test/fixtures/data (e.g. 'stories260K/tok512.bin'); throws when missing. */
export function fixturePath(rel: string): string {
  const p = path.join(FIXTURE_DATA, rel);
  if (!existsSync(p)) throw new Error(`test fixture ${p} is missing (node scripts/cut-data-slices.mjs writes test/fixtures/data)`);
  return p;
}

/** The full data folder and whether it is there. */
export interface FullData {
  /** Absolute path: GRAMR_DATA resolved against the repo root, or the default data folder. */
  root: string;
  /** True when `root` is an existing folder. */
  present: boolean;
  /** Why whole-set tests cannot run here (set when absent). */
  reason: string | undefined;
}

/** The data folder the product reads (dataFolder: GRAMR_DATA, else the default data folder) and whether it is a folder. */
export function fullData(): FullData {
  const root = dataFolder(REPO_ROOT);
  const present = existsSync(root) && statSync(root).isDirectory();
  const reason = present ? undefined : `GRAMR_DATA=${root} not found: whole-benchmark tests need the full sets`;
  return { root, present, reason };
}

/** A file or folder of the full data, `rel` relative to its root (check `fullData().present` first). */
export function fullDataPath(rel: string): string {
  return path.join(fullData().root, rel);
}

/** True when GRAMR_REQUIRE_DATA=1: a missing full data folder fails the whole-set tests instead of skipping them. */
export function dataRequired(): boolean {
  return process.env.GRAMR_REQUIRE_DATA === '1';
}

/**
 * Registers a test of the whole benchmark sets: it runs with the full data root when present; otherwise it is
 * skipped with the reason in its title, or fails with it when GRAMR_REQUIRE_DATA=1.
 */
export function wholeSetTest(title: string, fn: (t: ExecutionContext, root: string) => Promise<void> | void): void {
  const data = fullData();
  if (data.present) test(title, (t) => fn(t, data.root));
  else if (dataRequired()) test(title, (t) => { t.fail(`${data.reason} (GRAMR_REQUIRE_DATA=1 requires them)`); });
  else test.skip(`${title} — skipped: ${data.reason}`, () => {});
}

/** Which data a test registered by `sliceAndWholeTests` runs on. */
export type DataScope = 'slice' | 'whole';

/**
 * Registers a test twice: on the shipped slices (test/fixtures/data, always) and on the whole sets (the full data
 * root, gated as `wholeSetTest`). `fn` gets the data root to read and the scope, to pick the counts it expects.
 */
export function sliceAndWholeTests(title: string, fn: (t: ExecutionContext, root: string, scope: DataScope) => Promise<void> | void): void {
  test(`${title} (fixture slices)`, (t) => fn(t, FIXTURE_DATA, 'slice'));
  wholeSetTest(`${title} (whole sets)`, (t, root) => fn(t, root, 'whole'));
}
