// HfTokenizer: a Hugging Face tokenizer.json BPE tokenizer (byte-level as GPT-2 / Qwen / Llama 3, or
// SentencePiece-style with "▁" and byte fallback as Llama 2 / TinyLlama), with tokenizer_config.json's special
// tokens and chat template. Pipeline: added tokens -> normalizer -> pre-tokenizer -> BPE -> post-processor.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { ModelFormatError } from '../checkpoint/model-format-error.js';
import { fieldsOf, isTokenId } from './json-fields.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { AddedTokenSplitter, parseAddedTokens, type AddedToken } from './hf-added-tokens.js';
import { BpeModel } from './hf-bpe-model.js';
import { parseDecoder, tokenBytes, type DecodeRules } from './hf-decoder.js';
import { buildNormalizer, type Normalize } from './hf-normalizer.js';
import { buildPreTokenizer, type PreTokenizerPlan } from './hf-pre-tokenizer.js';
import { ChatTemplate, pickChatTemplate, PLAIN_CHAT_TEMPLATE, type TemplateTokens } from './chat-template.js';
import type { ChatMessage, ChatRenderOptions, DecodeOptions, EncodeOptions, Tokenizer, TokenizerKind } from './tokenizer.js';

/** A tokenizer.json BPE tokenizer. */
export class HfTokenizer implements Tokenizer {
  readonly kind: TokenizerKind = 'hf-bpe';
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly padId: number | undefined;
  readonly defaultAddBos: boolean;
  /** Whether `encode` appends the post-processor's suffix (e.g. EOS) when `addEos` is not given. */
  readonly defaultAddEos: boolean;
  readonly source: string;
  /** The chat template (from tokenizer_config.json, else the plain template). */
  readonly chatTemplate: ChatTemplate;
  private readonly model: BpeModel;
  private readonly normalize: Normalize | undefined;
  private readonly pre: PreTokenizerPlan;
  private readonly rules: DecodeRules;
  private readonly added = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly splitter: AddedTokenSplitter;
  private readonly idToTokenArr: (string | undefined)[];
  private readonly bytesCache: (Uint8Array | undefined)[];
  private readonly prefix: number[];
  private readonly suffix: number[];

  /**
   * Build from parsed JSON. `tokenizerJson` is tokenizer.json's content, `tokenizerConfig` tokenizer_config.json's
   * (optional), `source` the path they came from (used in errors).
   */
  constructor(readonly tokenizerJson: Record<string, unknown>, readonly tokenizerConfig: Record<string, unknown> | undefined, source: string) {
    this.source = source;
    const file = source;
    const addedTokens = parseAddedTokens(tokenizerJson.added_tokens, file);
    const maxAdded = addedTokens.reduce((m, t) => Math.max(m, t.id), -1);
    this.model = new BpeModel(tokenizerJson.model, 0, file);
    this.vocabSize = Math.max(this.model.size, maxAdded + 1);
    for (const t of addedTokens) { this.added.set(t.id, t); this.addedByContent.set(t.content, t); }
    this.splitter = new AddedTokenSplitter(addedTokens);
    this.normalize = buildNormalizer(tokenizerJson.normalizer, file);
    this.pre = buildPreTokenizer(tokenizerJson.pre_tokenizer, file);
    this.rules = parseDecoder(tokenizerJson.decoder, file);
    if (this.pre.byteLevel && !this.model.coversAllBytes()) {
      throw new ModelFormatError('a ByteLevel pre-tokenizer needs all 256 byte characters in model.vocab', { file, item: 'model.vocab' });
    }
    this.idToTokenArr = new Array<string | undefined>(this.vocabSize);
    for (const [tok, id] of this.model.vocab) this.idToTokenArr[id] = tok;
    for (const t of addedTokens) this.idToTokenArr[t.id] = t.content;
    this.bytesCache = new Array<Uint8Array | undefined>(this.vocabSize);
    [this.prefix, this.suffix] = parsePostProcessor(tokenizerJson.post_processor, (t) => this.tokenToId(t), file);
    const badId = [...this.prefix, ...this.suffix].find((id) => !isTokenId(id) || this.idToTokenArr[id] === undefined);
    if (badId !== undefined) {
      throw new ModelFormatError(`adds token id ${JSON.stringify(badId)}, which no token of this vocabulary has`, { file, item: 'post_processor' });
    }

    const cfg = tokenizerConfig ?? {};
    const cfgFile = source.replace(/tokenizer\.json$/, 'tokenizer_config.json');
    const named = (key: string, fallbacks: string[]): string | undefined => {
      const v = configToken(cfg[key], cfgFile, key);
      if (v !== undefined) {
        if (this.tokenToId(v) === undefined) throw new ModelFormatError(`${key} ${JSON.stringify(v)} is not in the vocabulary`, { file: cfgFile, item: key });
        return v;
      }
      return tokenizerConfig === undefined ? fallbacks.find((f) => this.tokenToId(f) !== undefined) : undefined;
    };
    const bos = named('bos_token', ['<s>', '<|begin_of_text|>', '<bos>']);
    const eos = named('eos_token', ['</s>', '<|end_of_text|>', '<|endoftext|>', '<eos>']);
    const pad = named('pad_token', ['<pad>']);
    this.bosId = bos !== undefined ? this.tokenToId(bos) : this.prefix.length === 1 ? this.prefix[0] : undefined;
    this.eosId = eos !== undefined ? this.tokenToId(eos) : this.suffix.length === 1 ? this.suffix[0] : undefined;
    this.padId = pad !== undefined ? this.tokenToId(pad) : undefined;
    this.defaultAddBos = typeof cfg.add_bos_token === 'boolean' ? cfg.add_bos_token : this.prefix.length > 0;
    this.defaultAddEos = typeof cfg.add_eos_token === 'boolean' ? cfg.add_eos_token : this.suffix.length > 0;
    const tokens: TemplateTokens = {};
    if (this.bosId !== undefined) tokens.bos_token = this.idToToken(this.bosId)!;
    if (this.eosId !== undefined) tokens.eos_token = this.idToToken(this.eosId)!;
    if (this.padId !== undefined) tokens.pad_token = this.idToToken(this.padId)!;
    const source2 = pickChatTemplate(cfg.chat_template, cfgFile);
    this.chatTemplate = new ChatTemplate(source2 ?? PLAIN_CHAT_TEMPLATE, tokens, source2 === undefined ? 'plain chat template' : cfgFile);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    for (const seg of this.splitter.split(text, options.parseSpecial ?? true)) {
      if ('id' in seg) { ids.push(seg.id); continue; }
      const normalized = this.normalize === undefined ? seg.text : this.normalize(seg.text);
      for (const piece of this.pre.run([normalized], seg.offset === 0)) {
        if (piece.length > 0) this.model.encodePiece(piece, this.pre.byteLevel, ids);
      }
    }
    let prefix: number[] = [];
    if (options.addBos ?? this.defaultAddBos) {
      prefix = this.prefix.length > 0 ? this.prefix : this.bosId !== undefined ? [this.bosId] : [];
      if (startsWith(ids, prefix)) prefix = [];
    }
    let suffix: number[] = [];
    if (options.addEos ?? this.defaultAddEos) {
      suffix = this.suffix.length > 0 ? this.suffix : this.eosId !== undefined ? [this.eosId] : [];
      if (endsWith(ids, suffix)) suffix = [];
    }
    return prefix.length === 0 && suffix.length === 0 ? ids : [...prefix, ...ids, ...suffix];
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const chunks: Uint8Array[] = [];
    for (const id of ids) {
      if (options.skipSpecial === true && this.isSpecial(id)) continue;
      let bytes = this.bytesOf(id);
      if (chunks.length === 0 && this.rules.stripLeadingSpaces > 0) {
        let n = 0;
        while (n < this.rules.stripLeadingSpaces && bytes[n] === 0x20) n++;
        bytes = bytes.subarray(n);
      }
      chunks.push(bytes);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.idToTokenArr[id] : undefined;
  }

  isSpecial(id: number): boolean {
    return this.added.get(id)?.special === true || id === this.bosId || id === this.eosId || id === this.padId;
  }

  renderChat(messages: readonly ChatMessage[], options?: ChatRenderOptions): string {
    return this.chatTemplate.render(messages, options);
  }

  /** Writes tokenizer.json and tokenizer_config.json (the loaded content, or a minimal config). */
  async save(dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const cfg = this.tokenizerConfig ?? {
      tokenizer_class: 'PreTrainedTokenizerFast',
      ...(this.bosId !== undefined ? { bos_token: this.idToToken(this.bosId) } : {}),
      ...(this.eosId !== undefined ? { eos_token: this.idToToken(this.eosId) } : {}),
      ...(this.padId !== undefined ? { pad_token: this.idToToken(this.padId) } : {}),
    };
    const paths = [join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json')];
    await writeFileAtomic(paths[0]!, JSON.stringify(this.tokenizerJson));
    await writeFileAtomic(paths[1]!, JSON.stringify(cfg, null, 2) + '\n');
    return paths;
  }

  private bytesOf(id: number): Uint8Array {
    const cached = this.bytesCache[id];
    if (cached !== undefined) return cached;
    const added = this.added.get(id);
    const token = added?.content ?? this.idToToken(id);
    if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary of ${this.source} (size ${this.vocabSize})`);
    const bytes = added !== undefined ? Buffer.from(token, 'utf8') : tokenBytes(token, this.rules);
    this.bytesCache[id] = bytes;
    return bytes;
  }
}

/** A special-token entry of tokenizer_config.json: a string or an AddedToken object {content}. */
function configToken(v: unknown, file: string, item: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  throw new ModelFormatError(`expected a token string or {"content": ...}, got ${JSON.stringify(v)}`, { file, item });
}

/** The ids a tokenizer.json post_processor puts before and after a single sequence. */
function parsePostProcessor(config: unknown, lookup: (t: string) => number | undefined, file: string, item = 'post_processor'): [number[], number[]] {
  if (config === null || config === undefined) return [[], []];
  const c = fieldsOf(config);
  const idOf = (tok: unknown, at: string): number => {
    const id = typeof tok === 'string' ? lookup(tok) : undefined;
    if (id === undefined) throw new ModelFormatError(`token ${JSON.stringify(tok)} is not in the vocabulary`, { file, item: at });
    return id;
  };
  switch (c.type) {
    case 'ByteLevel':
      return [[], []];
    case 'TemplateProcessing': {
      if (!Array.isArray(c.single)) throw new ModelFormatError('TemplateProcessing needs a "single" array', { file, item });
      const specials = (c.special_tokens ?? {}) as Record<string, { ids?: unknown }>;
      const before: number[] = [], after: number[] = [];
      let seenA = false;
      c.single.forEach((raw: unknown, i: number) => {
        const piece = fieldsOf(raw);
        if (piece.Sequence !== undefined) { seenA = true; return; }
        const name = fieldsOf(piece.SpecialToken).id;
        const entry = typeof name === 'string' && Object.hasOwn(fieldsOf(specials), name) ? fieldsOf(specials[name]) : undefined;
        const ids = Array.isArray(entry?.ids) ? (entry.ids as number[]) : [idOf(name, `${item}.single[${i}]`)];
        (seenA ? after : before).push(...ids);
      });
      return [before, after];
    }
    case 'RobertaProcessing': case 'BertProcessing': {
      const cls = c.cls === undefined ? undefined : fieldsOf(c.cls)[1], sep = c.sep === undefined ? undefined : fieldsOf(c.sep)[1];
      return [cls === undefined ? [] : [cls as number], sep === undefined ? [] : [sep as number]];
    }
    case 'Sequence': {
      if (!Array.isArray(c.processors)) throw new ModelFormatError('Sequence post-processor needs a "processors" array', { file, item });
      const parts = c.processors.map((p, i) => parsePostProcessor(p, lookup, file, `${item}.processors[${i}]`));
      return [parts.flatMap((p) => p[0]), parts.flatMap((p) => p[1])];
    }
    default:
      throw new ModelFormatError(`unsupported post-processor type ${JSON.stringify(c.type)}; supported: TemplateProcessing, ByteLevel, RobertaProcessing, BertProcessing, Sequence`, { file, item });
  }
}

function startsWith(ids: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length > 0 && ids.length >= prefix.length && prefix.every((p, i) => ids[i] === p);
}

function endsWith(ids: readonly number[], suffix: readonly number[]): boolean {
  const off = ids.length - suffix.length;
  return suffix.length > 0 && off >= 0 && suffix.every((s, i) => ids[off + i] === s);
}
