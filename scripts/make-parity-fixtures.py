#!/usr/bin/python3
# Writes the PyTorch parity fixtures of the decoder: small random Llama / Qwen2 / Qwen3 checkpoints in Hugging Face
# layout (config.json + model.safetensors, written by the tiny writer below) and the logits of a plain-torch
# float64 forward pass (its own implementation of the HF modeling code: no transformers needed) plus greedy ids.
# Run with Debian's python3 + python3-torch:  /usr/bin/python3 scripts/make-parity-fixtures.py
# Output: test/fixtures/model/parity/<arch>/{config.json, model.safetensors, expected.json}
import json
import math
import os
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'model', 'parity')

# Each case exercises what its architecture adds: GQA everywhere; Llama: untied head + Llama-3 RoPE scaling whose
# bands (wavelengths 6.3, 63, 628, 6283 against 32 / 128) hit all three branches; Qwen2: q/k/v biases, tied
# embeddings, theta 1e6; Qwen3: QK-norm, head_dim 8 with hidden 16 (q width 32 != hidden), tied.
CASES = {
    'llama': {
        'architectures': ['LlamaForCausalLM'], 'model_type': 'llama', 'vocab_size': 48, 'hidden_size': 16,
        'intermediate_size': 40, 'num_hidden_layers': 2, 'num_attention_heads': 2, 'num_key_value_heads': 1,
        'max_position_embeddings': 256, 'rms_norm_eps': 1e-5, 'rope_theta': 10000.0, 'hidden_act': 'silu',
        'tie_word_embeddings': False, 'attention_bias': False, 'mlp_bias': False, 'bos_token_id': 1, 'eos_token_id': 2,
        'rope_scaling': {'rope_type': 'llama3', 'factor': 8.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0,
                         'original_max_position_embeddings': 128},
    },
    'qwen2': {
        'architectures': ['Qwen2ForCausalLM'], 'model_type': 'qwen2', 'vocab_size': 48, 'hidden_size': 16,
        'intermediate_size': 32, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
        'max_position_embeddings': 256, 'rms_norm_eps': 1e-6, 'rope_theta': 1000000.0, 'hidden_act': 'silu',
        'tie_word_embeddings': True, 'use_sliding_window': False, 'sliding_window': None, 'eos_token_id': 2,
    },
    'qwen3': {
        'architectures': ['Qwen3ForCausalLM'], 'model_type': 'qwen3', 'vocab_size': 48, 'hidden_size': 16,
        'intermediate_size': 32, 'num_hidden_layers': 2, 'num_attention_heads': 4, 'num_key_value_heads': 2,
        'head_dim': 8, 'max_position_embeddings': 256, 'rms_norm_eps': 1e-6, 'rope_theta': 1000000.0,
        'hidden_act': 'silu', 'tie_word_embeddings': True, 'attention_bias': False, 'use_sliding_window': False,
        'sliding_window': None, 'eos_token_id': 2,
    },
}

PROMPTS = [[1, 7, 30, 11, 42, 5, 19], [1, 23, 4, 40]]
GREEDY_TOKENS = 8


def head_dim(c):
    return c.get('head_dim') or c['hidden_size'] // c['num_attention_heads']


def tensor_shapes(c):
    """HF names and [out, in] shapes, in the canonical order."""
    h, i, d = c['hidden_size'], c['intermediate_size'], head_dim(c)
    q, kv = c['num_attention_heads'] * d, c['num_key_value_heads'] * d
    qwen2, qwen3 = c['model_type'] == 'qwen2', c['model_type'] == 'qwen3'
    out = [('model.embed_tokens.weight', [c['vocab_size'], h])]
    for n in range(c['num_hidden_layers']):
        p = f'model.layers.{n}.'
        out.append((p + 'input_layernorm.weight', [h]))
        out += [(p + 'self_attn.q_proj.weight', [q, h]), (p + 'self_attn.k_proj.weight', [kv, h]), (p + 'self_attn.v_proj.weight', [kv, h])]
        if qwen2:
            out += [(p + 'self_attn.q_proj.bias', [q]), (p + 'self_attn.k_proj.bias', [kv]), (p + 'self_attn.v_proj.bias', [kv])]
        out.append((p + 'self_attn.o_proj.weight', [h, q]))
        if qwen3:
            out += [(p + 'self_attn.q_norm.weight', [d]), (p + 'self_attn.k_norm.weight', [d])]
        out.append((p + 'post_attention_layernorm.weight', [h]))
        out += [(p + 'mlp.gate_proj.weight', [i, h]), (p + 'mlp.up_proj.weight', [i, h]), (p + 'mlp.down_proj.weight', [h, i])]
    out.append(('model.norm.weight', [h]))
    if not c['tie_word_embeddings']:
        out.append(('lm_head.weight', [c['vocab_size'], h]))
    return out


def random_weights(c, seed):
    g = torch.Generator().manual_seed(seed)
    w = {}
    for name, shape in tensor_shapes(c):
        if name.endswith('norm.weight'):
            t = 1.0 + 0.2 * torch.randn(shape, generator=g)  # norms away from 1, so a missing norm shows
        elif name.endswith('.bias'):
            t = 0.3 * torch.randn(shape, generator=g)
        elif name == 'model.embed_tokens.weight':
            t = 0.5 * torch.randn(shape, generator=g)
        else:
            t = torch.randn(shape, generator=g) / math.sqrt(shape[1]) * 2.0
        w[name] = t.to(torch.float32)
    return w


def write_safetensors(path, weights):
    """Minimal safetensors writer: u64 LE header length, JSON header (space-padded to 8 bytes), F32 data."""
    header, offset, blobs = {}, 0, []
    for name, t in weights.items():
        values = t.reshape(-1).tolist()
        data = struct.pack('<%df' % len(values), *values)
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    header['__metadata__'] = {'format': 'pt'}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def inv_freq(c):
    """RoPE inverse frequencies with HF's 'llama3' scaling (float64)."""
    d = head_dim(c)
    inv = 1.0 / (c['rope_theta'] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    s = c.get('rope_scaling')
    if not s:
        return inv
    factor, lo, hi, old = s['factor'], s['low_freq_factor'], s['high_freq_factor'], s['original_max_position_embeddings']
    low_wavelen, high_wavelen = old / lo, old / hi
    wavelen = 2 * math.pi / inv
    scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - lo) / (hi - lo)
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
    return torch.where(medium, smoothed, scaled)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(c, w, ids):
    """Logits [T, vocab] of one sequence, float64, following HF's Llama/Qwen2/Qwen3 modeling code."""
    W = {k: v.to(torch.float64) for k, v in w.items()}
    T, d, eps = len(ids), head_dim(c), c['rms_norm_eps']
    nh, nkv = c['num_attention_heads'], c['num_key_value_heads']
    x = W['model.embed_tokens.weight'][torch.tensor(ids)]
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq(c))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.triu(torch.full((T, T), float('-inf'), dtype=torch.float64), diagonal=1)

    def lin(h, name):
        y = h @ W[name + '.weight'].T
        return y + W[name + '.bias'] if name + '.bias' in W else y

    for n in range(c['num_hidden_layers']):
        p = f'model.layers.{n}.'
        h = rms_norm(x, W[p + 'input_layernorm.weight'], eps)
        q = lin(h, p + 'self_attn.q_proj').view(T, nh, d).transpose(0, 1)
        k = lin(h, p + 'self_attn.k_proj').view(T, nkv, d).transpose(0, 1)
        v = lin(h, p + 'self_attn.v_proj').view(T, nkv, d).transpose(0, 1)
        if p + 'self_attn.q_norm.weight' in W:
            q = rms_norm(q, W[p + 'self_attn.q_norm.weight'], eps)
            k = rms_norm(k, W[p + 'self_attn.k_norm.weight'], eps)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=0)  # HF repeat_kv: query head j uses kv head j // n_rep
        v = v.repeat_interleave(nh // nkv, dim=0)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + mask, dim=-1) @ v
        x = x + lin(att.transpose(0, 1).reshape(T, nh * d), p + 'self_attn.o_proj')
        h2 = rms_norm(x, W[p + 'post_attention_layernorm.weight'], eps)
        gate = lin(h2, p + 'mlp.gate_proj')
        x = x + lin(gate * torch.sigmoid(gate) * lin(h2, p + 'mlp.up_proj'), p + 'mlp.down_proj')
    x = rms_norm(x, W['model.norm.weight'], eps)
    head = W['model.embed_tokens.weight'] if c['tie_word_embeddings'] else W['lm_head.weight']
    return x @ head.T


def greedy(c, w, ids, n):
    seq = list(ids)
    for _ in range(n):
        seq.append(int(torch.argmax(forward(c, w, seq)[-1])))
    return seq[len(ids):]


def main():
    for seed, (name, c) in enumerate(sorted(CASES.items()), start=1):
        out = os.path.join(ROOT, name)
        os.makedirs(out, exist_ok=True)
        w = random_weights(c, 1000 + seed)
        write_safetensors(os.path.join(out, 'model.safetensors'), w)
        with open(os.path.join(out, 'config.json'), 'w') as f:
            json.dump({**c, 'torch_dtype': 'float32'}, f, indent=2)
        expected = {
            'source': 'scripts/make-parity-fixtures.py (plain torch float64 forward)',
            'torch': torch.__version__,
            'prompts': PROMPTS,
            'logits': [[[float('%.7g' % v) for v in row] for row in forward(c, w, ids).tolist()] for ids in PROMPTS],
            'greedy': [greedy(c, w, ids, GREEDY_TOKENS) for ids in PROMPTS],
        }
        with open(os.path.join(out, 'expected.json'), 'w') as f:
            json.dump(expected, f, separators=(',', ':'))
        print(name, os.path.getsize(os.path.join(out, 'model.safetensors')), 'bytes of weights')


if __name__ == '__main__':
    main()
