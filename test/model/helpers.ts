// Shared by the model tests: paths of stories260K and the parity fixtures, a CPU backend, the llama2.c reference
// values of stories260K, and a CPU backend that counts uploaded elements.
import type { ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CpuBackend } from '../../backends/cpu/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { argmax } from '../../core/model/sampling.js';
import type { ComputeBackend, DeviceBuffer } from '../../core/tensor/backend.js';
import type { HostData } from '../../core/tensor/dtype.js';
import { fixturePath } from '../test-data.js';

/** stories260K (llama2.c) model and tokenizer. */
export const STORIES = fixturePath('stories260K/stories260K.bin');
export const STORIES_TOK = fixturePath('stories260K/tok512.bin');
/** test/fixtures/model/parity/<arch> (written by scripts/make-parity-fixtures.py). */
export const PARITY = resolve(process.cwd(), 'test/fixtures/model/parity');
export const PARITY_ARCHS = ['llama', 'qwen2', 'qwen3'] as const;

/** llama2.c run.c on stories260K, prompt "Once upon a time": its token ids, logits and greedy continuation. */
export const REF = {
  promptIds: [1, 403, 407, 261, 378],
  lastLogits8: [-10.136575, -5.329466, -10.138081, -10.136852, -10.137212, -10.138329, -10.137267, -10.137636],
  argmax: 432, maxLogit: 17.799398,
  greedy60: '432 383 286 261 376 298 315 421 395 317 426 338 401 396 267 337 410 408 419 292 411 322 265 282 295 433 426 385 328 432 358 394 261 370 432 352 266 268 388 426 338 391 266 267 337 335 312 432 398 312 286 267 414 270 333 415 426 13 438 310'.split(' ').map(Number),
  text60: 'Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball. She wanted to play with it, but it was too high.\nLily',
};

/** The expected.json of a parity fixture. */
export interface ParityExpected {
  prompts: number[][];
  logits: number[][][];
  greedy: number[][];
}

export function parityExpected(arch: string): ParityExpected {
  return JSON.parse(readFileSync(join(PARITY, arch, 'expected.json'), 'utf8')) as ParityExpected;
}

/** An initialized CPU backend. */
export async function cpu(): Promise<CpuBackend> {
  const be = new CpuBackend();
  await be.init();
  return be;
}

/** Largest |a - b| over two equally long sequences (Infinity when lengths differ or a value is NaN). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/** log_softmax of one row in float64. */
export function logSoftmax(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]!);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! - m);
  const l = Math.log(s);
  return Array.from(row, (x) => x - m - l);
}

/**
 * The parity check of a backend other than the CPU reference: the fixture's batched logits within 1e-4 of torch and
 * torch's greedy ids, with and without the KV cache.
 */
export async function assertParity(t: ExecutionContext, arch: string, backend: ComputeBackend): Promise<void> {
  const exp = parityExpected(arch);
  const model = await CausalLM.load(join(PARITY, arch), backend);
  const got = await model.forward(exp.prompts);
  exp.logits.forEach((rows, b) => rows.forEach((row, i) => {
    const d = maxDiff(got[b]![i]!, row);
    t.true(d <= 1e-4, `row ${b} position ${i}: max |diff| ${d}`);
  }));
  for (const useCache of [true, false]) {
    const res = await model.generate(exp.prompts, { maxTokens: exp.greedy[0]!.length, ignoreEos: true, useCache });
    t.deepEqual(res.map((r) => r.tokens), exp.greedy, `useCache ${useCache}`);
  }
  model.dispose();
}

/** stories260K's prompt ids and last-position logits (within 1e-4) and argmax equal llama2.c run.c's. */
export async function assertStoriesLogits(t: ExecutionContext, model: CausalLM): Promise<void> {
  const ids = model.tokenizer!.encode('Once upon a time');
  t.deepEqual(ids, REF.promptIds);
  const [rows] = await model.forward([ids]);
  const last = rows![ids.length - 1]!;
  t.true(maxDiff(last.subarray(0, 8), REF.lastLogits8) <= 1e-4, Array.from(last.subarray(0, 8)).join(' '));
  t.is(argmax(last), REF.argmax);
  t.true(Math.abs(last[REF.argmax]! - REF.maxLogit) <= 1e-4);
}

/** stories260K's 60 greedy tokens are run.c's ids and text; batched prompts generate what each generates alone. */
export async function assertStoriesGreedy(t: ExecutionContext, model: CausalLM): Promise<void> {
  const [r] = await model.generate(['Once upon a time'], { maxTokens: 60 });
  t.deepEqual(r!.tokens, REF.greedy60);
  t.is('Once upon a time' + r!.text, REF.text60);
  const prompts = ['Once upon a time', 'Tom', 'The sun was shining and the birds were singing in the big'];
  const batched = await model.generate(prompts, { maxTokens: 20 });
  for (const [i, p] of prompts.entries()) {
    const [alone] = await model.generate([p], { maxTokens: 20 });
    t.deepEqual(batched[i]!.tokens, alone!.tokens, p);
  }
}

/** A CPU backend that records every upload's element count in `uploads`. */
export class CountingCpuBackend extends CpuBackend {
  /** Element counts of the uploads so far. */
  readonly uploads: number[] = [];

  override upload(buffer: DeviceBuffer, data: HostData): void {
    this.uploads.push(data.length);
    super.upload(buffer, data);
  }
}
