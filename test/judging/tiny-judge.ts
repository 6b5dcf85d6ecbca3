// A real, tiny judge for the judging tests: a scratch Llama-style model trained with TrainStep + causalLmLoss to
// judge a trivial task through the verbatim GRAM-R² template and the plain chat format. The response that is a
// "good" word is correct; the model writes `<think>WORD</think><answer>L</answer>` (WORD = response A, so the
// label follows from the word it just wrote).
// The byte tokenizer gets the template's fixed chunks and the tags as special tokens, so a prompt is ~30 tokens.
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend } from '../../backends/cpu/index.js';
import { CausalLM } from '../../core/model/causal-lm.js';
import { saveHfCheckpoint } from '../../core/model/checkpoint/index.js';
import type { ModelConfig } from '../../core/model/checkpoint/model-config.js';
import { causalLmLoss } from '../../core/model/decoder.js';
import { weightsFromParams } from '../../core/model/decoder-weights.js';
import { createScratchModel, smallConfig } from '../../core/model/scratch-init.js';
import { ByteTokenizer } from '../../core/model/tokenizer/byte-tokenizer.js';
import { GRAM_R2_TEMPLATE, GRAM_V1_TEMPLATE } from '../../core/reward/prompt-templates.js';
import { plainChat, renderJudgePrompt } from '../../core/reward/prompts.js';
import { AdamW, Rng, TrainStep } from '../../core/tensor/index.js';
import { dependencyClosure, dependencyHash } from '../architecture/import-graph.js';

/** Correct and wrong responses of the trivial task. */
export const GOOD = ['good', 'right', 'fine'];
export const BAD = ['bad', 'wrong', 'poor'];
export const QUESTIONS = ['pick one', 'which?', 'choose'];

/** The templates' fixed text between placeholders, plus the chat markers and tags, as special tokens. */
function specials(): string[] {
  const r2 = GRAM_R2_TEMPLATE.split(/\{user_input\}|\{response_1\}|\{response_2\}/);
  const v1 = GRAM_V1_TEMPLATE.split(/\{input\}|\{response_a\}|\{response_b\}/);
  return ['<|user|>\n', '\n<|assistant|>\n', ...[...r2, ...v1].filter((c) => c !== ''), '<think>', '</think>', '<answer>', '</answer>'];
}

/** The tokenizer of the tiny judge. */
export function tinyTokenizer(): ByteTokenizer {
  return new ByteTokenizer({ extraSpecials: specials() });
}

/** The model config of the tiny judge (128 positions). */
export function tinyConfig(tok: ByteTokenizer): ModelConfig {
  return smallConfig({ vocabSize: tok.vocabSize, hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 4, numKvHeads: 2, maxPositions: 128 });
}

/** One training example: the judge prompt (plain chat) and the target output. */
export function example(rng: Rng): { prompt: string; output: string; label: 'A' | 'B' } {
  const q = QUESTIONS[rng.int(QUESTIONS.length)]!, good = GOOD[rng.int(GOOD.length)]!, bad = BAD[rng.int(BAD.length)]!;
  const label = rng.int(2) === 0 ? 'A' : 'B';
  const [first, second] = label === 'A' ? [good, bad] : [bad, good];
  return { prompt: renderJudgePrompt('gram-r2', { userInput: q, first, second }, plainChat), output: `<think>${first}</think><answer>${label}</answer>`, label };
}

/** Training steps of the tiny judge. */
export const TRAIN_STEPS = 150;

/** A trained tiny judge on the CPU backend, plus its tokenizer and config. */
export interface TinyJudge {
  model: CausalLM;
  tokenizer: ByteTokenizer;
  config: ModelConfig;
  backend: CpuBackend;
  losses: number[];
}

/** Train the tiny judge (deterministic: fixed seeds); `steps` updates of 16 sequences of 48 tokens. */
export async function trainTinyJudge(steps = TRAIN_STEPS): Promise<TinyJudge> {
  const backend = new CpuBackend();
  await backend.init();
  const tokenizer = tinyTokenizer();
  const config = tinyConfig(tokenizer);
  const n = 16, len = 36;
  const step = new TrainStep({
    backend, params: createScratchModel(config, 7, 0.05),
    batch: { ids: { shape: [n, len], dtype: 'i32' }, targets: { shape: [n, len], dtype: 'i32' } },
    loss: (p, b) => causalLmLoss(config, p, b.ids!, b.targets!),
    optimizer: new AdamW({ weightDecay: 0 }), lr: 1e-2,
  });
  const rng = new Rng(11);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const ids = new Int32Array(n * len), targets = new Int32Array(n * len).fill(-100);
    for (let r = 0; r < n; r++) {
      const ex = example(rng);
      const p = tokenizer.encode(ex.prompt), o = tokenizer.encode(ex.output, { addBos: false, addEos: true });
      const seq = [...p, ...o];
      if (seq.length > len + 1) throw new Error(`tiny judge example has ${seq.length} tokens; raise len`);
      seq.slice(0, -1).forEach((id, i) => { ids[r * len + i] = id; });
      for (let i = p.length - 1; i < seq.length - 1; i++) targets[r * len + i] = seq[i + 1]!;
    }
    losses.push((await step.step({ ids, targets })).loss);
  }
  const model = CausalLM.fromParams(config, backend, await step.readParams(), tokenizer);
  step.dispose();
  return { model, tokenizer, config, backend, losses };
}

/** An untrained model of the same shape (seeded), with the same tokenizer. */
export async function untrainedTinyJudge(seed = 3): Promise<{ model: CausalLM; backend: CpuBackend }> {
  const backend = new CpuBackend();
  await backend.init();
  const tokenizer = tinyTokenizer();
  return { model: CausalLM.scratch(tinyConfig(tokenizer), backend, seed, tokenizer), backend };
}

/** Save a model and its tokenizer as a Hugging Face folder in a new temp folder; returns the folder. */
export async function saveTiny(model: CausalLM, tokenizer: ByteTokenizer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gramr-tiny-judge-'));
  await saveHfCheckpoint(dir, model.config, weightsFromParams(model.config, await model.readParams()), tokenizer);
  return dir;
}

/** The built files the cached tiny judge depends on: this file and every file it imports, transitively. */
export function tinyJudgeSources(): string[] {
  return dependencyClosure(fileURLToPath(import.meta.url));
}

/**
 * The cache key of the tiny judge: a hash of the contents of tinyJudgeSources(), so a change to the training code
 * (TrainStep, the optimizer, the backend) or the model (CausalLM, the decoder, the tokenizer) trains a new one.
 */
export function tinyJudgeKey(): string {
  return dependencyHash(fileURLToPath(import.meta.url));
}

/**
 * The trained tiny judge as a checkpoint folder (with `losses.json`), shared by the test files of this folder: the
 * first caller trains and saves it under the OS temp folder, keyed by tinyJudgeKey(), holding a lock file meanwhile;
 * the others wait for it. Training is deterministic, so every caller gets the same model.
 */
export async function tinyJudgeDir(): Promise<string> {
  const key = tinyJudgeKey().slice(0, 16);
  const dir = join(tmpdir(), `gramr-tiny-judge-${key}`);
  const lock = `${dir}.lock`;
  const ready = (): boolean => existsSync(join(dir, 'losses.json'));
  for (const started = Date.now(); !ready(); ) {
    let fd: number | undefined;
    try { fd = openSync(lock, 'wx'); } catch { /* someone else trains */ }
    if (fd !== undefined) {
      try {
        if (!ready()) {
          const judge = await trainTinyJudge();
          const tmp = await saveTiny(judge.model, judge.tokenizer);
          writeFileSync(join(tmp, 'losses.json'), JSON.stringify(judge.losses));
          judge.model.dispose();
          rmSync(dir, { recursive: true, force: true });
          renameSync(tmp, dir);
        }
      } finally {
        closeSync(fd);
        unlinkSync(lock);
      }
      break;
    }
    // A lock older than two minutes belongs to a process that died: take it over.
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { force: true });
    if (Date.now() - started > 240_000) throw new Error(`tinyJudgeDir: gave up waiting for ${lock}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return dir;
}
