// Fingerprints that tie a LoRA adapter (and a resumable run) to what it was trained on: the base model's sha256
// over its safetensors files (or its llama2.c .bin), and a tokenizer fingerprint from its behaviour (kind, special
// ids and every token string), so reformatted tokenizer files still match.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { hashFile } from '../pipeline/hash.js';
import type { Tokenizer } from '../model/tokenizer/tokenizer.js';

/**
 * sha256 of a base checkpoint: for a folder, over `name NUL sha256(file) LF` of each `*.safetensors` file in name
 * order; for a file (llama2.c `.bin`, or a file inside an HF folder: its folder), over the file.
 */
export async function baseModelSha256(modelPath: string): Promise<string> {
  const info = await stat(modelPath).catch(() => undefined);
  if (info === undefined) throw new Error(`baseModelSha256: ${modelPath}: no such file or folder`);
  if (info.isFile()) {
    if (!modelPath.endsWith('.bin')) return baseModelSha256(join(modelPath, '..'));
    return hashFile(modelPath);
  }
  const files = (await readdir(modelPath)).filter((n) => n.endsWith('.safetensors')).sort();
  if (files.length === 0) throw new Error(`baseModelSha256: ${modelPath} has no *.safetensors files to hash`);
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\0${await hashFile(join(modelPath, f))}\n`);
  return h.digest('hex');
}

/** sha256 over a tokenizer's kind, vocabulary size, BOS/EOS/PAD ids and the string of every token id. */
export function tokenizerFingerprint(tok: Tokenizer): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([tok.kind, tok.vocabSize, tok.bosId ?? -1, tok.eosId ?? -1, tok.padId ?? -1]));
  for (let id = 0; id < tok.vocabSize; id++) h.update(`\n${tok.idToToken(id) ?? ''}`);
  return h.digest('hex');
}
