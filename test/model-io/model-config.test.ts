// ModelConfig from real Hugging Face config.json files (Qwen3, Qwen2.5, Llama 3.2, TinyLlama, Mistral), the
// write/read round trip, and errors for unknown architectures, missing or malformed fields.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError, parseHfConfig, toHfConfig, checkArchitectureFlags, type ModelConfig } from '../../core/model/checkpoint/index.js';
import { FIXTURES } from './helpers.js';

const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, 'configs', name), 'utf8'));
const parse = (name: string): ModelConfig => parseHfConfig(load(name), name);

test('Qwen3-0.6B: explicit head_dim, QK-norm, tied embeddings', (t) => {
  t.deepEqual(parse('qwen3-0.6b.json'), {
    architecture: 'Qwen3ForCausalLM', vocabSize: 151936, hiddenSize: 1024, intermediateSize: 3072, numLayers: 28,
    numHeads: 16, numKvHeads: 8, headDim: 128, maxPositions: 40960, rmsNormEps: 1e-6, ropeTheta: 1000000,
    ropeStyle: 'half', attentionBias: false, attentionOutBias: false, mlpBias: false, qkNorm: true,
    tieWordEmbeddings: true, bosTokenId: 151643, eosTokenIds: [151645],
  });
});

test('Qwen3 in the transformers 5 layout reads rope_theta from rope_parameters', (t) => {
  const c = parse('qwen3-1.7b-transformers5.json');
  t.is(c.ropeTheta, 1000000);
  t.is(c.ropeScaling, undefined);
  t.is(c.hiddenSize, 2048);
  t.is(c.headDim, 128);
});

test('Qwen2.5-0.5B: q/k/v biases implied by the architecture, sliding window off', (t) => {
  const c = parse('qwen2.5-0.5b-instruct.json');
  t.true(c.attentionBias);
  t.false(c.attentionOutBias);
  t.false(c.qkNorm);
  t.is(c.headDim, 64);
  t.is(c.numKvHeads, 2);
  t.is(c.slidingWindow, undefined);
  t.true(c.tieWordEmbeddings);
});

test('Llama-3.2-1B: llama3 rope scaling', (t) => {
  const c = parse('llama-3.2-1b.json');
  t.deepEqual(c.ropeScaling, { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
  t.is(c.ropeTheta, 500000);
  t.is(c.rmsNormEps, 1e-5);
  t.is(c.headDim, 64);
  t.deepEqual(c.eosTokenIds, [128001]);
});

test('TinyLlama and Mistral: untied heads, derived head_dim, Mistral sliding window', (t) => {
  const tl = parse('tinyllama-1.1b-chat.json');
  t.false(tl.tieWordEmbeddings);
  t.is(tl.headDim, 64);
  t.is(tl.numKvHeads, 4);
  const m = parse('mistral-7b-v0.1.json');
  t.is(m.architecture, 'MistralForCausalLM');
  t.is(m.slidingWindow, 4096);
  t.is(m.headDim, 128);
  t.false(m.attentionBias);
});

test('toHfConfig then parseHfConfig gives back the same config for every fixture', (t) => {
  for (const name of ['qwen3-0.6b.json', 'qwen3-1.7b-transformers5.json', 'qwen2.5-0.5b-instruct.json', 'llama-3.2-1b.json', 'tinyllama-1.1b-chat.json', 'mistral-7b-v0.1.json']) {
    const c = parse(name);
    t.deepEqual(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(c))), 'round-trip'), c, name);
  }
  const interleaved: ModelConfig = { ...parse('tinyllama-1.1b-chat.json'), ropeStyle: 'interleaved', eosTokenIds: [2, 3] };
  const hf = toHfConfig(interleaved);
  t.is(hf.gramr_rope_style, 'interleaved');
  t.deepEqual(hf.eos_token_id, [2, 3]);
  t.deepEqual(parseHfConfig(hf, 'x'), interleaved);
});

test('unknown architecture: error names the file, the field and the supported ones', (t) => {
  const err = t.throws(() => parseHfConfig({ ...load('llama-3.2-1b.json'), architectures: ['GPT2LMHeadModel'] }, 'model/config.json'), { instanceOf: ModelFormatError });
  t.is(err!.message, 'model/config.json [architectures]: unknown architecture "GPT2LMHeadModel"; supported: LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM');
  t.is(err!.item, 'architectures');
});

test('missing or malformed fields are errors naming the field', (t) => {
  const base = load('qwen3-0.6b.json');
  const without = (k: string): Record<string, unknown> => { const c = { ...base }; delete c[k]; return c; };
  t.throws(() => parseHfConfig(without('hidden_size'), 'c.json'), { message: 'c.json [hidden_size]: required field is missing (a positive integer)' });
  t.throws(() => parseHfConfig(without('head_dim'), 'c.json'), { message: /c\.json \[head_dim\]: required field is missing/ });
  t.throws(() => parseHfConfig({ ...base, num_key_value_heads: 5 }, 'c.json'), { message: /\[num_key_value_heads\]: num_attention_heads \(16\) must be a multiple of num_key_value_heads \(5\)/ });
  t.throws(() => parseHfConfig({ ...base, vocab_size: '151936' }, 'c.json'), { message: /\[vocab_size\]: must be a positive integer, got "151936"/ });
  t.throws(() => parseHfConfig({ ...base, hidden_act: 'gelu' }, 'c.json'), { message: /\[hidden_act\]: hidden_act "gelu" is not supported/ });
  t.throws(() => parseHfConfig({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'c.json'), { message: /\[rope_scaling\.rope_type\]: unsupported rope_type "yarn"; supported: default, linear, llama3/ });
  t.throws(() => parseHfConfig({ ...load('llama-3.2-1b.json'), rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'c.json'), { message: /\[rope_scaling\.low_freq_factor\]: must be a positive number/ });
  t.throws(() => parseHfConfig({ ...without('architectures') }, 'c.json'), { message: /\[architectures\]: missing "architectures"/ });
});

test('configs built in code must respect their architecture', (t) => {
  const q2 = parse('qwen2.5-0.5b-instruct.json');
  t.throws(() => checkArchitectureFlags({ ...q2, attentionBias: false }, 'out/config.json'), { message: /out\/config\.json \[attentionBias\]: Qwen2ForCausalLM: Qwen2 always has q\/k\/v biases/ });
  t.throws(() => toHfConfig({ ...parse('llama-3.2-1b.json'), qkNorm: true }), { message: /\[qkNorm\]: LlamaForCausalLM: qkNorm must be false/ });
});
