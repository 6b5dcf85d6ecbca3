# PyTorch eager peer of `gramr bench scale` (bench/scale.ts): maps the same model.safetensors (numpy memmap, no
# safetensors package on Debian 12), runs a Llama/Qwen2 decoder with a KV cache in float32 and prints one JSON line
# with the measures bench/scale-run.ts reports. RoPE scaling is ignored (it changes values, not cost).
# usage: /usr/bin/python3 bench/torch_scale.py --model DIR [--batches 1,8,32] [--tokens 16] [--prefill 128]
import argparse, json, resource, time

t_start = time.perf_counter()
import torch
import torch.nn.functional as F

from torch_weights import load

p = argparse.ArgumentParser()
p.add_argument('--model', required=True)
p.add_argument('--batches', default='1,8,32')
p.add_argument('--tokens', type=int, default=16)
p.add_argument('--prefill', type=int, default=128)
p.add_argument('--threads', type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)


class Model:
    def __init__(self, cfg, w):
        self.c, self.w = cfg, w
        self.H = cfg['hidden_size']
        self.nh, self.nkv = cfg['num_attention_heads'], cfg.get('num_key_value_heads', cfg['num_attention_heads'])
        self.hd = cfg.get('head_dim') or self.H // self.nh
        self.eps = cfg['rms_norm_eps']
        self.L = cfg['num_hidden_layers']
        self.inv = 1.0 / (cfg.get('rope_theta', 10000.0) ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        self.head = w.get('lm_head.weight', w['model.embed_tokens.weight'])

    def norm(self, x, g):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * g

    def rope(self, x, pos):  # x [B, h, T, hd], pos [T]
        f = pos[:, None].float() * self.inv[None, :]
        cos, sin = torch.cat([f.cos(), f.cos()], -1), torch.cat([f.sin(), f.sin()], -1)
        x1, x2 = x[..., : self.hd // 2], x[..., self.hd // 2:]
        return x * cos + torch.cat([-x2, x1], -1) * sin

    def lin(self, x, name):
        return F.linear(x, self.w[name + '.weight'], self.w.get(name + '.bias'))

    def forward(self, ids, cache, start):  # ids [B, T]; cache list of (k, v) or None
        B, T = ids.shape
        pos = torch.arange(start, start + T)
        x = F.embedding(ids, self.w['model.embed_tokens.weight'])
        new = []
        for i in range(self.L):
            p = f'model.layers.{i}.'
            h = self.norm(x, self.w[p + 'input_layernorm.weight'])
            q = self.lin(h, p + 'self_attn.q_proj').view(B, T, self.nh, self.hd).transpose(1, 2)
            k = self.lin(h, p + 'self_attn.k_proj').view(B, T, self.nkv, self.hd).transpose(1, 2)
            v = self.lin(h, p + 'self_attn.v_proj').view(B, T, self.nkv, self.hd).transpose(1, 2)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if cache is not None:
                k, v = torch.cat([cache[i][0], k], 2), torch.cat([cache[i][1], v], 2)
            new.append((k, v))
            rep = self.nh // self.nkv
            kk, vv = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
            s = q @ kk.transpose(-1, -2) / self.hd ** 0.5
            if T > 1:
                s = s + torch.full((T, T), float('-inf')).triu(1)
            o = (s.softmax(-1) @ vv).transpose(1, 2).reshape(B, T, self.nh * self.hd)
            x = x + self.lin(o, p + 'self_attn.o_proj')
            h2 = self.norm(x, self.w[p + 'post_attention_layernorm.weight'])
            x = x + self.lin(F.silu(self.lin(h2, p + 'mlp.gate_proj')) * self.lin(h2, p + 'mlp.up_proj'), p + 'mlp.down_proj')
        x = self.norm(x[:, -1], self.w['model.norm.weight'])
        return x @ self.head.T, new


def generate(m, ids, n, on_token=None):
    logits, cache = m.forward(ids, None, 0)
    pos = ids.shape[1]
    for step in range(n):
        tok = logits.argmax(-1, keepdim=True)
        if on_token:
            on_token()
        if step == n - 1:
            break
        logits, cache = m.forward(tok, cache, pos)
        pos += 1


def main():
    with torch.no_grad():
        t0 = time.perf_counter()
        cfg, w = load(a.model)
        m = Model(cfg, w)
        load_s = time.perf_counter() - t0
        generate(m, torch.tensor([[1000 + i for i in range(7)]]), 1)
        ttft = time.perf_counter() - t0
        g = torch.Generator().manual_seed(7)
        prompt = torch.randint(1000, 40000, (1, a.prefill), generator=g)
        for _ in range(2):
            t = time.perf_counter()
            generate(m, prompt, 1)
            prefill = a.prefill / (time.perf_counter() - t)
        decode = {}
        for b in [int(x) for x in a.batches.split(',')]:
            ids = torch.randint(1000, 40000, (b, 12), generator=g)
            for _ in range(2):
                times = []
                generate(m, ids, a.tokens, lambda: times.append(time.perf_counter()))
                decode[str(b)] = b * (len(times) - 1) / (times[-1] - times[0])
    print(json.dumps({'version': torch.__version__, 'threads': a.threads, 'load_s': load_s, 'ttft_s': ttft,
                      'process_s': time.perf_counter() - t_start, 'prefill_tokens_per_s': prefill,
                      'decode_tokens_per_s': decode, 'peak_rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


main()
