// Llama2cTokenizer: the llama2.c `tok*.bin` tokenizer (SentencePiece BPE exported with scores), implemented as
// llama2.c's run.c does it: dummy " " prefix, UTF-8 code-point lookup with byte fallback (<0xXX> = byte + 3),
// then merging the adjacent pair whose merged string scores highest (leftmost on ties) until none merges.
import { join } from 'node:path';
import { mkdir, readFile } from 'node:fs/promises';
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { mergeByPriority, NO_MERGE, type MergeTable } from './bpe-merge.js';
import { ChatTemplate, PLAIN_CHAT_TEMPLATE } from './chat-template.js';
import { withoutMarks } from './untrusted-text.js';
import type { ChatMessage, ChatRenderOptions, DecodeOptions, EncodeOptions, Tokenizer, TokenizerKind } from './tokenizer.js';

const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
/** <unk>, <s>, </s> are ids 0, 1, 2: no text merges into them. */
const CONTROL_IDS = 2;

/** A llama2.c tokenizer: vocabulary of byte strings with merge scores. */
export class Llama2cTokenizer implements Tokenizer, MergeTable {
  readonly kind: TokenizerKind = 'llama2c';
  readonly vocabSize: number;
  /** llama2.c's fixed BOS id (1). */
  readonly bosId: number | undefined = 1;
  /** llama2.c's fixed EOS id (2). */
  readonly eosId: number | undefined = 2;
  readonly padId: number | undefined = undefined;
  /** llama2.c's run.c encodes prompts with BOS. */
  readonly defaultAddBos = true;
  readonly source: string;
  /** The plain chat template (llama2.c files carry none). */
  readonly chatTemplate: ChatTemplate;
  /** Tokens as byte strings (one JS char per byte, latin1). */
  private readonly pieces: string[];
  private readonly scores: Float32Array;
  private readonly maxTokenLength: number;
  private readonly lookup = new Map<string, number>();
  private readonly pairCache = new Map<number, number>();
  private readonly hasByteTokens: boolean;

  /** Build from token byte strings (latin1) and scores; `maxTokenLength` is the header value kept for save(). */
  constructor(pieces: string[], scores: Float32Array, maxTokenLength: number, source = 'memory') {
    if (pieces.length !== scores.length) throw new RangeError(`${pieces.length} tokens but ${scores.length} scores`);
    if (pieces.length < 3) throw new ModelFormatError(`a llama2.c vocabulary needs at least <unk>, <s>, </s>; got ${pieces.length} tokens`, { file: source });
    this.pieces = pieces;
    this.scores = scores;
    this.maxTokenLength = maxTokenLength;
    this.vocabSize = pieces.length;
    this.source = source;
    pieces.forEach((p, i) => { if (!this.lookup.has(p)) this.lookup.set(p, i); });
    this.hasByteTokens = pieces[3] === '<0x00>' && pieces[258] === '<0xFF>';
    // llama2.c does not parse special-token text, so the template gets no bos/eos strings: encode() adds BOS itself
    this.chatTemplate = new ChatTemplate(PLAIN_CHAT_TEMPLATE, {}, 'plain chat template');
  }

  /** Parse a tok*.bin file's bytes: int32 max_token_length, then per token float32 score, int32 length, bytes. */
  static parse(buf: Uint8Array, file: string, expectedVocabSize?: number): Llama2cTokenizer {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.byteLength < 4) throw new ModelFormatError(`file is ${buf.byteLength} bytes; a llama2.c tokenizer starts with an int32 max_token_length`, { file });
    const maxLen = view.getInt32(0, true);
    if (maxLen <= 0 || maxLen > 1 << 16) throw new ModelFormatError(`max_token_length ${maxLen} is not plausible (1..65536)`, { file, item: 'max_token_length' });
    const pieces: string[] = [];
    const scores: number[] = [];
    let off = 4;
    while (off < buf.byteLength && (expectedVocabSize === undefined || pieces.length < expectedVocabSize)) {
      const i = pieces.length;
      if (off + 8 > buf.byteLength) throw new ModelFormatError(`truncated in the header of token ${i} at byte ${off} (file has ${buf.byteLength} bytes)`, { file, item: `token ${i}` });
      const score = view.getFloat32(off, true);
      const len = view.getInt32(off + 4, true);
      off += 8;
      if (len < 0 || len > maxLen) throw new ModelFormatError(`token length ${len} is outside 0..max_token_length (${maxLen})`, { file, item: `token ${i}` });
      if (off + len > buf.byteLength) throw new ModelFormatError(`truncated: token needs ${len} bytes at byte ${off}, file has ${buf.byteLength}`, { file, item: `token ${i}` });
      pieces.push(Buffer.from(buf.subarray(off, off + len)).toString('latin1'));
      scores.push(score);
      off += len;
    }
    if (expectedVocabSize !== undefined && pieces.length !== expectedVocabSize) {
      throw new ModelFormatError(`has ${pieces.length} tokens, the model expects ${expectedVocabSize}`, { file });
    }
    return new Llama2cTokenizer(pieces, Float32Array.from(scores), maxLen, file);
  }

  /** Read a tok*.bin file. */
  static async load(path: string, expectedVocabSize?: number): Promise<Llama2cTokenizer> {
    return Llama2cTokenizer.parse(await readFile(path), path, expectedVocabSize);
  }

  /** The file bytes of this tokenizer in tok*.bin format. */
  serialize(): Uint8Array {
    const total = 4 + this.pieces.reduce((n, p) => n + 8 + p.length, 0);
    const buf = Buffer.alloc(total);
    buf.writeInt32LE(this.maxTokenLength, 0);
    let off = 4;
    this.pieces.forEach((p, i) => {
      buf.writeFloatLE(this.scores[i]!, off);
      buf.writeInt32LE(p.length, off + 4);
      buf.write(p, off + 8, 'latin1');
      off += 8 + p.length;
    });
    return buf;
  }

  /**
   * As run.c encodes, with one difference: no merge ever produces <unk>, <s> or </s> (ids 0..2), so text never
   * encodes to a control token (llama2.c parses no special-token text). Untrusted marks are dropped.
   */
  encode(marked: string, options: EncodeOptions = {}): number[] {
    const text = withoutMarks(marked);
    const symbols: number[] = [];
    if (text.length > 0) {
      const space = this.lookup.get(' ');
      if (space === undefined) throw new ModelFormatError('the vocabulary has no " " token for the dummy prefix', { file: this.source });
      symbols.push(space);
    }
    const bytes = Buffer.from(text, 'utf8');
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      // a code point ends where the next byte is not a continuation byte (or after 4 bytes), as in run.c
      const nextIsCont = i + 1 < bytes.length && (bytes[i + 1]! & 0xc0) === 0x80;
      if (nextIsCont && i + 1 - start < 4) continue;
      const id = this.lookup.get(bytes.toString('latin1', start, i + 1));
      if (id !== undefined) symbols.push(id);
      else if (this.hasByteTokens) for (let j = start; j <= i; j++) symbols.push(bytes[j]! + 3);
      else throw new ModelFormatError(`${JSON.stringify(bytes.toString('utf8', start, i + 1))} is not in the vocabulary and it has no <0x00>..<0xFF> byte tokens at ids 3..258`, { file: this.source });
      start = i + 1;
    }
    const ids = mergeByPriority(symbols, this);
    if ((options.addBos ?? this.defaultAddBos) && ids[0] !== this.bosId) ids.unshift(this.bosId!);
    if (options.addEos === true && ids[ids.length - 1] !== this.eosId) ids.push(this.eosId!);
    return ids;
  }

  priority(left: number, right: number): number {
    const key = left * this.vocabSize + right;
    let merged = this.pairCache.get(key);
    if (merged === undefined) {
      merged = this.lookup.get(this.pieces[left]! + this.pieces[right]!) ?? -1;
      this.pairCache.set(key, merged);
    }
    return merged <= CONTROL_IDS ? NO_MERGE : -this.scores[merged]!;
  }

  result(left: number, right: number): number {
    return this.pairCache.get(left * this.vocabSize + right)!;
  }

  /** Decode as run.c does (a piece's leading space is dropped after BOS) and also at the start of the sequence. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const chunks: Buffer[] = [];
    let prev = -1;
    for (const id of ids) {
      const piece = this.pieces[id];
      if (piece === undefined) throw new RangeError(`token id ${id} is outside the vocabulary of ${this.source} (size ${this.vocabSize})`);
      if (options.skipSpecial === true && this.isSpecial(id)) { prev = id; continue; }
      const m = BYTE_TOKEN.exec(piece);
      let bytes = m !== null ? Buffer.of(parseInt(m[1]!, 16)) : Buffer.from(piece, 'latin1');
      if ((prev === -1 || prev === this.bosId) && m === null && bytes[0] === 0x20) bytes = bytes.subarray(1);
      chunks.push(bytes);
      prev = id;
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  tokenToId(token: string): number | undefined {
    return this.lookup.get(Buffer.from(token, 'utf8').toString('latin1'));
  }

  idToToken(id: number): string | undefined {
    const p = this.pieces[id];
    return p === undefined ? undefined : Buffer.from(p, 'latin1').toString('utf8');
  }

  /** <unk> (0), <s> (1) and </s> (2) are special. */
  isSpecial(id: number): boolean {
    return id >= 0 && id <= 2;
  }

  /** The merge score of a token. */
  score(id: number): number {
    return this.scores[id] ?? Number.NaN;
  }

  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string {
    return this.chatTemplate.render(messages, options);
  }

  /** Writes `tok<vocabSize>.bin`. */
  async save(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `tok${this.vocabSize}.bin`);
    await writeFileAtomic(path, this.serialize());
    return [path];
  }
}
