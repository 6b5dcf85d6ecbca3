// loadTokenizer: open a tokenizer from a file or a model folder and pick the format: tokenizer.json (+ its
// tokenizer_config.json; recognised byte-tokenizer files become a ByteTokenizer) or llama2.c tok*.bin.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { ByteTokenizer } from './byte-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { Llama2cTokenizer } from './llama2c-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

/** The files of a Hugging Face tokenizer that travel with a model folder (linked or copied as they are). */
export const TOKENIZER_FILES: readonly string[] = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'chat_template.jinja'];

/** Options for loadTokenizer. */
export interface LoadTokenizerOptions {
  /** For llama2.c files: the model's vocab size, checked against the token count. */
  expectedVocabSize?: number;
}

/**
 * Load a tokenizer from `path`: a tokenizer.json file, a tok*.bin / tokenizer.bin file, or a folder holding one
 * (tokenizer.json preferred). Errors name the path and what was looked for.
 */
export async function loadTokenizer(path: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ModelFormatError('no such file or folder', { file: path });
  if (info.isDirectory()) {
    const names = await readdir(path);
    if (names.includes('tokenizer.json')) return loadTokenizerJson(join(path, 'tokenizer.json'));
    const bins = names.filter((n) => /^tok.*\.bin$/.test(n)).sort();
    if (bins.length > 1) throw new ModelFormatError(`several llama2.c tokenizers (${bins.join(', ')}); pass one file`, { file: path });
    if (bins.length === 1) return Llama2cTokenizer.load(join(path, bins[0]!), options.expectedVocabSize);
    throw new ModelFormatError('no tokenizer found: expected tokenizer.json (Hugging Face / gramr byte tokenizer) or tok*.bin (llama2.c)', { file: path });
  }
  if (path.endsWith('.json')) return loadTokenizerJson(path);
  if (path.endsWith('.bin')) return Llama2cTokenizer.load(path, options.expectedVocabSize);
  throw new ModelFormatError('unknown tokenizer file type; expected tokenizer.json or tok*.bin', { file: path });
}

/** Load a tokenizer.json with the tokenizer_config.json next to it (when present). */
export async function loadTokenizerJson(path: string): Promise<Tokenizer> {
  const json = await readJson(path);
  const cfgPath = join(dirname(path), basename(path) === 'tokenizer.json' ? 'tokenizer_config.json' : basename(path).replace(/\.json$/, '_config.json'));
  const cfg = await stat(cfgPath).then(() => readJson(cfgPath), () => undefined);
  return ByteTokenizer.fromHfJson(json, cfg, path) ?? new HfTokenizer(json, cfg, path);
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ModelFormatError(`invalid JSON: ${(err as Error).message}`, { file: path });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModelFormatError('expected a JSON object', { file: path });
  return value as Record<string, unknown>;
}
