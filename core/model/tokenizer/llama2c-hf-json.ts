// A llama2.c tokenizer as Hugging Face tokenizer.json + tokenizer_config.json, in the layout of Llama 2's own
// (SentencePiece BPE: "▁" for spaces, a prepended "▁", byte fallback) so that transformers.js, tokenizers and
// gramr's HfTokenizer read it. llama2.c merges the adjacent pair whose merged piece scores highest; here every
// split of a piece into two pieces becomes a merge, ranked by the merged piece's score (best first).
import type { Llama2cTokenizer } from './llama2c-tokenizer.js';

const SPACE = '\u2581';
const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

/** The two JSON files of a converted tokenizer. */
export interface HfTokenizerFiles {
  /** tokenizer.json */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json */
  config: Record<string, unknown>;
}

// Every piece as text (spaces as ▁); a piece that is not whole UTF-8 cannot be a tokenizer.json entry.
function piecesOf(tok: Llama2cTokenizer): string[] {
  return Array.from({ length: tok.vocabSize }, (_, id) => {
    // llama2.c stores <s> and </s> as "\n<s>\n" and "\n</s>\n" (run.c prints them so); tokenizer.json has the plain names.
    const piece = tok.isSpecial(id) ? tok.idToToken(id)!.trim() : tok.idToToken(id)!;
    if (piece.includes('\uFFFD')) {
      throw new Error(`${tok.source}: token ${id} is not whole UTF-8 text and cannot be written to tokenizer.json`);
    }
    return piece.replaceAll(' ', SPACE);
  });
}

// Merges [left, right] ranked by the merged piece's score, best first; ties keep vocabulary order, then split order.
function mergesOf(tok: Llama2cTokenizer, pieces: readonly string[], ids: ReadonlyMap<string, number>): [string, string][] {
  const found: { left: string; right: string; score: number; id: number; at: number }[] = [];
  pieces.forEach((piece, id) => {
    if (tok.isSpecial(id) || BYTE_TOKEN.test(piece)) return;
    const chars = Array.from(piece);
    for (let at = 1; at < chars.length; at++) {
      const left = chars.slice(0, at).join(''), right = chars.slice(at).join('');
      if (ids.has(left) && ids.has(right)) found.push({ left, right, score: tok.score(id), id, at });
    }
  });
  found.sort((a, b) => b.score - a.score || a.id - b.id || a.at - b.at);
  return found.map((m) => [m.left, m.right]);
}

const added = (id: number, content: string): Record<string, unknown> => ({
  id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
});

/**
 * tokenizer.json and tokenizer_config.json for a llama2.c tokenizer (ids unchanged; <unk>, <s>, </s> special,
 * BOS added by the post-processor as llama2.c's run.c does; <unk> doubles as the pad token for batches).
 */
export function llama2cToHfJson(tok: Llama2cTokenizer): HfTokenizerFiles {
  const pieces = piecesOf(tok);
  const ids = new Map<string, number>();
  pieces.forEach((p, i) => { if (!ids.has(p)) ids.set(p, i); });
  const [unk, bos, eos] = [pieces[0]!, pieces[tok.bosId!]!, pieces[tok.eosId!]!];
  const seq = (id: string): Record<string, unknown> => ({ Sequence: { id, type_id: 0 } });
  const bosStep = { SpecialToken: { id: bos, type_id: 0 } };
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(0, unk), added(tok.bosId!, bos), added(tok.eosId!, eos)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: SPACE }, { type: 'Replace', pattern: { String: ' ' }, content: SPACE }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing', single: [bosStep, seq('A')], pair: [bosStep, seq('A'), bosStep, seq('B')],
      special_tokens: { [bos]: { id: bos, ids: [tok.bosId], tokens: [bos] } },
    },
    decoder: {
      type: 'Sequence', decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE', dropout: null, unk_token: unk, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab: Object.fromEntries(ids), merges: mergesOf(tok, pieces, ids),
    },
  };
  const config = {
    tokenizer_class: 'LlamaTokenizer', bos_token: bos, eos_token: eos, unk_token: unk, pad_token: unk,
    add_bos_token: true, add_eos_token: false, clean_up_tokenization_spaces: false, legacy: true,
    model_max_length: 1e30, padding_side: 'left',
  };
  return { tokenizer, config };
}
