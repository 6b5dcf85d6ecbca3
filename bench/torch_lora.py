# PyTorch eager peer of bench/scale-lora.ts: one LoRA step (rank r on q/k/v/o, alpha 2r, no dropout) on the same
# model.safetensors (numpy memmap, frozen F32 base), a batch of one T-token sequence with a next-token loss on every
# position, AdamW on the adapters only. Prints one JSON line: load, first step, best later step as tokens/s, peak RSS.
# usage: /usr/bin/python3 bench/torch_lora.py --model DIR [--tokens 512] [--rank 16] [--steps 3] [--threads 2]
import argparse, json, resource, time

import torch
import torch.nn.functional as F

from torch_weights import load

p = argparse.ArgumentParser()
p.add_argument('--model', required=True)
p.add_argument('--tokens', type=int, default=512)
p.add_argument('--rank', type=int, default=16)
p.add_argument('--steps', type=int, default=3)
p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)


def main():
    t0 = time.perf_counter()
    cfg, w = load(a.model)
    H, L = cfg['hidden_size'], cfg['num_hidden_layers']
    nh, nkv = cfg['num_attention_heads'], cfg.get('num_key_value_heads', cfg['num_attention_heads'])
    hd = cfg.get('head_dim') or H // nh
    eps, scale = cfg['rms_norm_eps'], 2.0
    inv = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    head = w.get('lm_head.weight', w['model.embed_tokens.weight'])
    g = torch.Generator().manual_seed(1)
    lora = {}
    for i in range(L):
        for t in ['q_proj', 'k_proj', 'v_proj', 'o_proj']:
            out_f, in_f = w[f'model.layers.{i}.self_attn.{t}.weight'].shape
            A = (torch.randn(a.rank, in_f, generator=g) / in_f ** 0.5).requires_grad_()
            B = torch.zeros(out_f, a.rank, requires_grad=True)
            lora[(i, t)] = (A, B)
    params = [x for ab in lora.values() for x in ab]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0)
    load_s = time.perf_counter() - t0

    def norm(x, gw):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * gw

    T = a.tokens
    pos = torch.arange(T)
    f = pos[:, None].float() * inv[None, :]
    cos, sin = torch.cat([f.cos(), f.cos()], -1), torch.cat([f.sin(), f.sin()], -1)
    mask = torch.full((T, T), float('-inf')).triu(1)

    def rope(x):
        x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def lin(x, i, t):
        name = f'model.layers.{i}.self_attn.{t}'
        y = F.linear(x, w[name + '.weight'], w.get(name + '.bias'))
        A, B = lora[(i, t)]
        return y + (x @ A.T @ B.T) * scale

    def loss_of(ids, targets):
        x = F.embedding(ids, w['model.embed_tokens.weight'])
        for i in range(L):
            p_ = f'model.layers.{i}.'
            h = norm(x, w[p_ + 'input_layernorm.weight'])
            q = rope(lin(h, i, 'q_proj').view(1, T, nh, hd).transpose(1, 2))
            k = rope(lin(h, i, 'k_proj').view(1, T, nkv, hd).transpose(1, 2))
            v = lin(h, i, 'v_proj').view(1, T, nkv, hd).transpose(1, 2)
            rep = nh // nkv
            s = q @ k.repeat_interleave(rep, 1).transpose(-1, -2) / hd ** 0.5 + mask
            o = (s.softmax(-1) @ v.repeat_interleave(rep, 1)).transpose(1, 2).reshape(1, T, nh * hd)
            x = x + lin(o, i, 'o_proj')
            h2 = norm(x, w[p_ + 'post_attention_layernorm.weight'])
            x = x + F.linear(F.silu(F.linear(h2, w[p_ + 'mlp.gate_proj.weight'])) * F.linear(h2, w[p_ + 'mlp.up_proj.weight']), w[p_ + 'mlp.down_proj.weight'])
        logits = norm(x, w['model.norm.weight']) @ head.T
        return F.cross_entropy(logits.view(T, -1), targets.view(T))

    ids = torch.randint(1000, 40000, (1, T + 1), generator=g)
    times, losses = [], []
    for _ in range(a.steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = loss_of(ids[:, :T], ids[:, 1:])
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t)
        losses.append(loss.item())
    later = times[1:]
    print(json.dumps({'version': torch.__version__, 'threads': a.threads, 'tokens': T, 'rank': a.rank,
                      'adapter_parameters': sum(x.numel() for x in params), 'load_s': load_s, 'first_step_s': times[0],
                      'step_s': min(later) if later else None, 'tokens_per_s': T / min(later) if later else None,
                      'losses': losses, 'peak_rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


main()
