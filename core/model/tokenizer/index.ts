// Public surface of the tokenizer module: the Tokenizer contract, the three formats, chat templates,
// streaming decode and the format-picking loader.
export type { Tokenizer, TokenizerKind, EncodeOptions, DecodeOptions, ChatMessage, ChatRenderOptions } from './tokenizer.js';
export { HfTokenizer } from './hf-tokenizer.js';
export { Llama2cTokenizer } from './llama2c-tokenizer.js';
export { ByteTokenizer, BYTE_TOKENIZER_SPECIALS, type ByteTokenizerOptions } from './byte-tokenizer.js';
export { ChatTemplate, PLAIN_CHAT_TEMPLATE, type TemplateTokens } from './chat-template.js';
export { StreamDecoder } from './stream-decoder.js';
export { untrusted, withoutMarks, UNTRUSTED_OPEN, UNTRUSTED_CLOSE } from './untrusted-text.js';
export { loadTokenizer, loadTokenizerJson, type LoadTokenizerOptions } from './load-tokenizer.js';
