#!/usr/bin/python3
# The training benchmark's model in PyTorch (bench/bench-model.ts mirrored): Llama-style, hidden 128, 4 layers,
# 4 heads, SwiGLU 352, vocab 256, T 128, B 8, untied head, AdamW (wd 0.01), grad clip 1.0. Prints tokens/s.
# For Debian's /usr/bin/python3 with python3-torch (1.13) and libopenblas0-pthread; not installed by the project.
#   OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_train.py [--steps 20] [--threads 1] [--json]
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope(x, cos, sin):
    # 'half' convention (HF Llama): pairs (i, i + D/2).
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(torch.nn.Module):
    def __init__(self, d, heads, inter):
        super().__init__()
        self.heads = heads
        self.attn_norm, self.mlp_norm = RMSNorm(d), RMSNorm(d)
        self.wq, self.wk, self.wv, self.wo = (torch.nn.Linear(d, d, bias=False) for _ in range(4))
        self.w_gate, self.w_up = torch.nn.Linear(d, inter, bias=False), torch.nn.Linear(d, inter, bias=False)
        self.w_down = torch.nn.Linear(inter, d, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, d = x.shape
        hd = d // self.heads
        a = self.attn_norm(x)
        split = lambda y: y.view(b, t, self.heads, hd).transpose(1, 2)
        q, k, v = rope(split(self.wq(a)), cos, sin), rope(split(self.wk(a)), cos, sin), split(self.wv(a))
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(hd))
        scores = scores.masked_fill(mask, -1e9)
        att = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.wo(att)
        m = self.mlp_norm(x)
        return x + self.w_down(F.silu(self.w_gate(m)) * self.w_up(m))


class Model(torch.nn.Module):
    def __init__(self, vocab=256, d=128, layers=4, heads=4, inter=352, seq=128):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.blocks = torch.nn.ModuleList(Block(d, heads, inter) for _ in range(layers))
        self.final_norm = RMSNorm(d)
        self.head = torch.nn.Linear(d, vocab, bias=False)
        hd = d // heads
        inv = 10000.0 ** (-torch.arange(0, hd // 2, dtype=torch.float64) * 2 / hd)
        ang = torch.arange(seq, dtype=torch.float64)[:, None] * inv[None, :]
        self.register_buffer('cos', ang.cos().float())
        self.register_buffer('sin', ang.sin().float())
        self.register_buffer('mask', torch.triu(torch.ones(seq, seq, dtype=torch.bool), diagonal=1))
        for p in self.parameters():
            if p.dim() > 1:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, ids, targets):
        x = self.embed(ids)
        for blk in self.blocks:
            x = blk(x, self.cos, self.sin, self.mask)
        logits = self.head(self.final_norm(x))
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def batch(seed, b=8, t=128, vocab=256):
    g = torch.Generator().manual_seed(seed)
    n = b * (t + 1)
    pattern = (torch.arange(n) * 7) % vocab
    noise = torch.randint(0, vocab, (n,), generator=g)
    stream = torch.where(torch.rand(n, generator=g) < 0.75, pattern, noise).view(b, t + 1)
    return stream[:, :-1].contiguous(), stream[:, 1:].contiguous()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1, help='torch intra-op threads (BLAS threads: OPENBLAS_NUM_THREADS)')
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = Model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    batches = [batch(100 + i) for i in range(4)]
    times, losses = [], []
    for s in range(args.warmup + args.steps):
        ids, tgt = batches[s % len(batches)]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model(ids, tgt)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if s >= args.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    tokens = 8 * 128
    mean = statistics.mean(times)
    res = {
        'backend': 'torch', 'provider': f'torch {torch.__version__}, {args.threads} intra-op, OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS", "unset")}',
        'tokens_per_s': tokens / (mean / 1000), 'tokens_per_s_median': tokens / (statistics.median(times) / 1000),
        'median_step_ms': statistics.median(times), 'mean_step_ms': mean, 'steps': args.steps, 'tokens_per_step': tokens,
        'loss_first': losses[0], 'loss_last': losses[-1], 'params': sum(p.numel() for p in model.parameters()),
    }
    if args.json:
        print(json.dumps(res))
    else:
        print(f"torch: {res['tokens_per_s']:.0f} tokens/s (mean {mean:.1f} ms/step, median {res['median_step_ms']:.1f}; "
              f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, {res['params']} params; {res['provider']})")


if __name__ == '__main__':
    main()
