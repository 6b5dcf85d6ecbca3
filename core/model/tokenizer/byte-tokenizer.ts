// ByteTokenizer: the tokenizer for models trained from scratch. Ids 0..255 are the UTF-8 bytes, 256 <pad>,
// 257 <bos>, 258 <eos>, then any extra special tokens from 259 on. It saves as a genuine Hugging Face
// tokenizer.json (byte-level BPE without merges) + tokenizer_config.json, so other tools can load it too.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { BYTE_TO_CHAR } from './byte-level-map.js';
import { AddedTokenSplitter } from './hf-added-tokens.js';
import { ChatTemplate, PLAIN_CHAT_TEMPLATE } from './chat-template.js';
import type { ChatMessage, ChatRenderOptions, DecodeOptions, EncodeOptions, Tokenizer, TokenizerKind } from './tokenizer.js';
import { fieldsOf } from './json-fields.js';

/** The fixed special tokens of the byte tokenizer, at ids 256, 257, 258. */
export const BYTE_TOKENIZER_SPECIALS = ['<pad>', '<bos>', '<eos>'] as const;

/** Options for a new ByteTokenizer. */
export interface ByteTokenizerOptions {
  /** More special tokens (e.g. chat markers), given ids 259, 260, ... in order. Default []. */
  extraSpecials?: string[];
  /** Jinja chat template; default PLAIN_CHAT_TEMPLATE. */
  chatTemplate?: string;
  /** Where it was loaded from; default 'memory'. */
  source?: string;
}

/** Bytes as tokens, plus special tokens. */
export class ByteTokenizer implements Tokenizer {
  /** Id of <pad>. */
  static readonly PAD = 256;
  /** Id of <bos>. */
  static readonly BOS = 257;
  /** Id of <eos>. */
  static readonly EOS = 258;
  readonly kind: TokenizerKind = 'byte';
  readonly vocabSize: number;
  readonly bosId: number | undefined = ByteTokenizer.BOS;
  readonly eosId: number | undefined = ByteTokenizer.EOS;
  readonly padId: number | undefined = ByteTokenizer.PAD;
  /** BOS is added by default. */
  readonly defaultAddBos = true;
  readonly source: string;
  /** All special tokens, index i has id 256 + i. */
  readonly specials: readonly string[];
  /** The chat template. */
  readonly chatTemplate: ChatTemplate;
  private readonly splitter: AddedTokenSplitter;
  private readonly specialIds = new Map<string, number>();

  constructor(options: ByteTokenizerOptions = {}) {
    this.specials = [...BYTE_TOKENIZER_SPECIALS, ...(options.extraSpecials ?? [])];
    const dup = this.specials.find((s, i) => this.specials.indexOf(s) !== i);
    if (dup !== undefined) throw new RangeError(`special token ${JSON.stringify(dup)} is given twice`);
    this.specials.forEach((s, i) => this.specialIds.set(s, 256 + i));
    this.vocabSize = 256 + this.specials.length;
    this.source = options.source ?? 'memory';
    this.splitter = new AddedTokenSplitter(this.specials.map((content, i) => ({
      id: 256 + i, content, special: true, lstrip: false, rstrip: false, singleWord: false,
    })));
    this.chatTemplate = new ChatTemplate(options.chatTemplate ?? PLAIN_CHAT_TEMPLATE,
      { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>' }, options.chatTemplate === undefined ? 'plain chat template' : this.source);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    for (const seg of this.splitter.split(text, options.parseSpecial ?? true)) {
      if ('id' in seg) ids.push(seg.id);
      else for (const b of Buffer.from(seg.text, 'utf8')) ids.push(b);
    }
    if ((options.addBos ?? true) && ids[0] !== ByteTokenizer.BOS) ids.unshift(ByteTokenizer.BOS);
    if (options.addEos === true && ids[ids.length - 1] !== ByteTokenizer.EOS) ids.push(ByteTokenizer.EOS);
    return ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const bytes: number[] = [];
    let out = '';
    const flush = (): void => { out += Buffer.from(bytes).toString('utf8'); bytes.length = 0; };
    for (const id of ids) {
      if (Number.isInteger(id) && id >= 0 && id < 256) { bytes.push(id); continue; }
      const special = this.specials[id - 256];
      if (special === undefined) throw new RangeError(`token id ${id} is outside the byte tokenizer's vocabulary (0..${this.vocabSize - 1})`);
      if (options.skipSpecial === true) continue;
      flush();
      out += special;
    }
    flush();
    return out;
  }

  /** Byte tokens are written as GPT-2 byte-level characters ("Ġ" is 32), as in the saved tokenizer.json. */
  tokenToId(token: string): number | undefined {
    const special = this.specialIds.get(token);
    if (special !== undefined) return special;
    const b = token.length === 1 ? BYTE_TO_CHAR.indexOf(token) : -1;
    return b >= 0 ? b : undefined;
  }

  idToToken(id: number): string | undefined {
    return id >= 0 && id < 256 ? BYTE_TO_CHAR[id] : this.specials[id - 256];
  }

  isSpecial(id: number): boolean {
    return id >= 256 && id < this.vocabSize;
  }

  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string {
    return this.chatTemplate.render(messages, options);
  }

  /** The Hugging Face tokenizer.json describing this tokenizer. */
  toTokenizerJson(): Record<string, unknown> {
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
    const bos = { SpecialToken: { id: '<bos>', type_id: 0 } };
    return {
      version: '1.0', truncation: null, padding: null,
      added_tokens: this.specials.map((content, i) => ({
        id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
      })),
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: {
        type: 'TemplateProcessing',
        single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<bos>': { id: '<bos>', ids: [ByteTokenizer.BOS], tokens: ['<bos>'] } },
      },
      decoder: byteLevel,
      model: {
        type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: false, byte_fallback: false, ignore_merges: false,
        vocab: Object.fromEntries(BYTE_TO_CHAR.map((ch, b) => [ch, b])), merges: [],
      },
    };
  }

  /** The tokenizer_config.json describing this tokenizer. */
  toTokenizerConfig(): Record<string, unknown> {
    return {
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>',
      additional_special_tokens: this.specials.slice(3),
      chat_template: this.chatTemplate.source,
    };
  }

  /** Writes tokenizer.json and tokenizer_config.json. */
  async save(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const paths = [join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json')];
    await writeFileAtomic(paths[0]!, JSON.stringify(this.toTokenizerJson(), null, 1) + '\n');
    await writeFileAtomic(paths[1]!, JSON.stringify(this.toTokenizerConfig(), null, 2) + '\n');
    return paths;
  }

  /**
   * Recognise a tokenizer.json written by `save` (byte-level BPE, no merges, the 256 bytes at ids 0..255, specials
   * from 256 starting with <pad>, <bos>, <eos>) and rebuild it; undefined when the JSON is anything else.
   */
  static fromHfJson(json: Record<string, unknown>, config: Record<string, unknown> | undefined, source: string): ByteTokenizer | undefined {
    const model = json.model as Record<string, unknown> | undefined;
    const type = (v: unknown): unknown => (v as { type?: unknown } | null)?.type;
    if (model?.type !== 'BPE' || !Array.isArray(model.merges) || model.merges.length !== 0) return undefined;
    if (type(json.pre_tokenizer) !== 'ByteLevel' || type(json.decoder) !== 'ByteLevel' || json.normalizer !== null) return undefined;
    const vocab = model.vocab === undefined ? undefined : fieldsOf(model.vocab);
    if (vocab === undefined || Object.keys(vocab).length !== 256 || !BYTE_TO_CHAR.every((ch, b) => vocab[ch] === b)) return undefined;
    const added = (Array.isArray(json.added_tokens) ? json.added_tokens : []).map(fieldsOf) as { id?: unknown; content?: unknown; special?: unknown }[];
    const specials: string[] = [];
    for (const [i, t] of [...added].sort((a, b) => Number(a.id) - Number(b.id)).entries()) {
      if (t.id !== 256 + i || typeof t.content !== 'string' || t.special !== true) return undefined;
      specials.push(t.content);
    }
    if (!BYTE_TOKENIZER_SPECIALS.every((s, i) => specials[i] === s)) return undefined;
    const template = typeof config?.chat_template === 'string' ? config.chat_template : undefined;
    return new ByteTokenizer({ extraSpecials: specials.slice(3), ...(template !== undefined ? { chatTemplate: template } : {}), source });
  }
}
