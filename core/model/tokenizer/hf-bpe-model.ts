// The BPE `model` section of a tokenizer.json: vocabulary, merge ranks, byte fallback / unk, and the per-piece
// encoder with a word cache. Merge ranks live in a PairTable keyed by (leftId, rightId); the loop is bpe-merge.ts.
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { isTokenId, MAX_TOKEN_ID } from './json-fields.js';
import { BYTE_TO_CHAR } from './byte-level-map.js';
import { mergeByPriority, NO_MERGE, type MergeTable } from './bpe-merge.js';
import { PairTable } from './pair-table.js';

const CACHE_LIMIT = 200_000;
const CACHEABLE_LENGTH = 256;

/** A tokenizer.json BPE model ready to encode pieces. */
export class BpeModel implements MergeTable {
  /** token string -> id, for the model vocabulary. */
  readonly vocab: Map<string, number>;
  /** One past the largest vocabulary id. */
  readonly size: number;
  /** Byte fallback (`<0xXX>` tokens for characters not in the vocab). */
  readonly byteFallback: boolean;
  private readonly rank: PairTable;
  private readonly mergedId: Int32Array;
  private readonly unkId: number | undefined;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;
  private readonly byteIds: Int32Array;
  private readonly byteFallbackIds: Int32Array;
  private readonly cache = new Map<string, number[]>();

  constructor(model: unknown, idBound: number, private readonly file: string) {
    const m = model as Record<string, unknown>;
    if (m === null || typeof m !== 'object' || m.type !== 'BPE') {
      throw new ModelFormatError(`only BPE models are supported, got model.type ${JSON.stringify(m?.type)}`, { file, item: 'model.type' });
    }
    for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
      if (typeof m[key] === 'string' && m[key] !== '') {
        throw new ModelFormatError(`${key} ${JSON.stringify(m[key])} is not supported (only "" or null)`, { file, item: `model.${key}` });
      }
    }
    if (typeof m.vocab !== 'object' || m.vocab === null) throw new ModelFormatError('model.vocab must be an object {token: id}', { file, item: 'model.vocab' });
    this.vocab = new Map();
    let max = idBound - 1;
    for (const [tok, id] of Object.entries(m.vocab as Record<string, unknown>)) {
      if (!isTokenId(id)) throw new ModelFormatError(`id must be an integer from 0 to ${MAX_TOKEN_ID}, got ${JSON.stringify(id)}`, { file, item: `model.vocab[${JSON.stringify(tok)}]` });
      this.vocab.set(tok, id as number);
      if ((id as number) > max) max = id as number;
    }
    this.size = max + 1;
    this.byteFallback = m.byte_fallback === true;
    this.fuseUnk = m.fuse_unk === true;
    this.ignoreMerges = m.ignore_merges === true;
    this.unkId = typeof m.unk_token === 'string' ? this.vocab.get(m.unk_token) : undefined;
    if (typeof m.unk_token === 'string' && this.unkId === undefined) {
      throw new ModelFormatError(`unk_token ${JSON.stringify(m.unk_token)} is not in the vocabulary`, { file, item: 'model.unk_token' });
    }
    const merges = m.merges ?? [];
    if (!Array.isArray(merges)) throw new ModelFormatError('model.merges must be an array', { file, item: 'model.merges' });
    this.mergedId = new Int32Array(merges.length);
    this.rank = new PairTable(merges.length);
    merges.forEach((raw, r) => {
      const pair = typeof raw === 'string' ? raw.split(' ') : raw;
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw new ModelFormatError(`a merge must be "left right" or ["left", "right"], got ${JSON.stringify(raw)}`, { file, item: `model.merges[${r}]` });
      }
      const [a, b] = pair as [string, string];
      const ia = this.vocab.get(a), ib = this.vocab.get(b), ic = this.vocab.get(a + b);
      if (ia === undefined || ib === undefined || ic === undefined) {
        const missing = ia === undefined ? a : ib === undefined ? b : a + b;
        throw new ModelFormatError(`merge ${JSON.stringify(raw)} uses ${JSON.stringify(missing)}, which is not in the vocabulary`, { file, item: `model.merges[${r}]` });
      }
      this.rank.setIfAbsent(ia, ib, r);
      this.mergedId[r] = ic;
    });
    this.byteIds = Int32Array.from(BYTE_TO_CHAR, (ch) => this.vocab.get(ch) ?? -1);
    this.byteFallbackIds = Int32Array.from({ length: 256 }, (_, b) => this.vocab.get(byteToken(b)) ?? -1);
  }

  priority(left: number, right: number): number {
    const r = this.rank.get(left, right);
    return r < 0 ? NO_MERGE : r;
  }

  result(left: number, right: number): number {
    return this.mergedId[this.rank.get(left, right)]!;
  }

  /** True when every byte has a byte-level vocabulary entry (required for ByteLevel pre-tokenization). */
  coversAllBytes(): boolean {
    return this.byteIds.every((id) => id >= 0);
  }

  /** Encode one pre-tokenized piece, appending ids to `out`. */
  encodePiece(piece: string, byteLevel: boolean, out: number[]): void {
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      for (const id of cached) out.push(id);
      return;
    }
    const ids = byteLevel ? this.encodeBytes(piece) : this.encodeChars(piece);
    if (piece.length <= CACHEABLE_LENGTH) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, ids);
    }
    for (const id of ids) out.push(id);
  }

  private encodeBytes(piece: string): number[] {
    let ascii = true;
    for (let i = 0; i < piece.length && ascii; i++) ascii = piece.charCodeAt(i) < 0x80;
    if (ascii && !this.ignoreMerges) {
      const symbols: number[] = new Array<number>(piece.length);
      for (let i = 0; i < piece.length; i++) symbols[i] = this.byteIds[piece.charCodeAt(i)]!;
      return mergeByPriority(symbols, this);
    }
    const bytes = Buffer.from(piece, 'utf8');
    if (this.ignoreMerges) {
      let mapped = '';
      for (const b of bytes) mapped += BYTE_TO_CHAR[b];
      const whole = this.vocab.get(mapped);
      if (whole !== undefined) return [whole];
    }
    const symbols: number[] = new Array<number>(bytes.length);
    for (let i = 0; i < bytes.length; i++) symbols[i] = this.byteIds[bytes[i]!]!;
    return mergeByPriority(symbols, this);
  }

  private encodeChars(piece: string): number[] {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(piece);
      if (whole !== undefined) return [whole];
    }
    const symbols: number[] = [];
    let lastWasUnk = false;
    for (const ch of piece) {
      const id = this.vocab.get(ch);
      if (id !== undefined) { symbols.push(id); lastWasUnk = false; continue; }
      if (this.byteFallback && this.byteFallbackIds[0x41]! >= 0) {
        const bytes = Buffer.from(ch, 'utf8');
        if (bytes.every((b) => this.byteFallbackIds[b]! >= 0)) {
          for (const b of bytes) symbols.push(this.byteFallbackIds[b]!);
          lastWasUnk = false;
          continue;
        }
      }
      if (this.unkId === undefined) {
        throw new ModelFormatError(`character ${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase()}) is not in the vocabulary and the model has neither byte_fallback nor unk_token`, { file: this.file, item: 'model.vocab' });
      }
      if (!(this.fuseUnk && lastWasUnk)) symbols.push(this.unkId);
      lastWasUnk = true;
    }
    return mergeByPriority(symbols, this);
  }
}

/** The byte-fallback token name for a byte: `<0x0A>`. */
export function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}
