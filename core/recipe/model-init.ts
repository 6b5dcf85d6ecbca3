// Where a trained model starts: `init: {scratch: {hiddenSize, layers, heads, intermediate, maxPositions}}` (a seeded
// random Llama-style model with a byte tokenizer, written once into the stage folder) or `init: {from: <model>}`
// (a model artifact: declared in the pipeline or written by an earlier stage). Shared by train-grm and
// train-prover.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import type { StageContext } from '../pipeline/stage.js';
import { initScratchCheckpoint } from '../training/scratch-checkpoint.js';

/** Sizes of a from-scratch model. */
export const scratchSchema = z.object({
  hiddenSize: z.number().int().min(2).describe('hidden size (a multiple of heads with an even head size)'),
  layers: z.number().int().min(1).describe('decoder layers'),
  heads: z.number().int().min(1).describe('attention heads'),
  kvHeads: z.number().int().min(1).optional().describe('key/value heads (default: heads)'),
  intermediate: z.number().int().min(1).describe('SwiGLU intermediate size'),
  maxPositions: z.number().int().min(8).describe('context length in tokens (bytes, with the byte tokenizer)'),
  ropeTheta: z.number().min(2).optional().describe('RoPE base (default 10000); a smaller base (e.g. 100-1000) resolves positions more finely over short contexts'),
}).strict();

/** `init` option of the training stages. */
export const initSchema = z.union([
  z.object({ scratch: scratchSchema }).strict(),
  z.object({ from: z.string().describe('model artifact to start from (a pipeline model or an earlier stage\'s output)') }).strict(),
]).describe('start from a seeded scratch model {scratch: {...}} or from a model artifact {from: name}');

/** Parsed `init`. */
export type InitOptions = z.output<typeof initSchema>;

/** The artifacts `init` reads (for Stage.inputs). */
export function initInputs(init: InitOptions): string[] {
  return 'from' in init ? [init.from] : [];
}

/** A short description of `init` for gramr.json. */
export function describeInit(init: InitOptions): string {
  if ('from' in init) return `from:${init.from}`;
  const s = init.scratch;
  return `scratch:h${s.hiddenSize}-l${s.layers}-a${s.heads}${s.kvHeads ? `-kv${s.kvHeads}` : ''}-i${s.intermediate}-p${s.maxPositions}${s.ropeTheta !== undefined ? `-r${s.ropeTheta}` : ''}`;
}

/**
 * The starting checkpoint's path: the `from` artifact, or `<stage dir>/<name>` holding the scratch model seeded by
 * `seed` (written once; an interrupted write is redone, so a resumed stage starts from identical weights).
 */
export async function prepareInit(init: InitOptions, ctx: Pick<StageContext, 'dir' | 'artifacts'>, seed: number, name = 'init'): Promise<string> {
  if ('from' in init) return ctx.artifacts.modelPath(init.from);
  const dir = path.join(ctx.dir, name);
  const done = path.join(dir, 'tokenizer_config.json');
  if (existsSync(done) && existsSync(path.join(dir, 'model.safetensors')) && existsSync(path.join(dir, 'config.json'))) return dir;
  await rm(dir, { recursive: true, force: true });
  const s = init.scratch;
  await initScratchCheckpoint(dir, {
    hiddenSize: s.hiddenSize, layers: s.layers, heads: s.heads, intermediate: s.intermediate, maxPositions: s.maxPositions,
    ...(s.kvHeads !== undefined ? { kvHeads: s.kvHeads } : {}), ...(s.ropeTheta !== undefined ? { ropeTheta: s.ropeTheta } : {}),
  }, seed);
  return dir;
}
