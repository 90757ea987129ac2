"""A PyTorch twin of pipe's GPT (src/nn/models/gpt.ts): same parameter names, [in, out] linear weights, fused
c_attn, exact GELU, pre-norm blocks, tied head, masked mean cross-entropy. Shared by crosscheck.py and
bench/train/torch_train.py."""
import math

import torch
import torch.nn.functional as F


def param_specs(cfg):
    C, L = cfg["nEmbd"], cfg["nLayer"]
    specs = [("wte", (cfg["vocabSize"], C), "n", True), ("wpe", (cfg["blockSize"], C), "n", True)]
    for i in range(L):
        p = f"h.{i}."
        specs += [
            (p + "ln_1.weight", (C,), "1", False), (p + "ln_1.bias", (C,), "0", False),
            (p + "attn.c_attn.weight", (C, 3 * C), "n", True), (p + "attn.c_attn.bias", (3 * C,), "0", False),
            (p + "attn.c_proj.weight", (C, C), "r", True), (p + "attn.c_proj.bias", (C,), "0", False),
            (p + "ln_2.weight", (C,), "1", False), (p + "ln_2.bias", (C,), "0", False),
            (p + "mlp.c_fc.weight", (C, 4 * C), "n", True), (p + "mlp.c_fc.bias", (4 * C,), "0", False),
            (p + "mlp.c_proj.weight", (4 * C, C), "r", True), (p + "mlp.c_proj.bias", (C,), "0", False),
        ]
    specs += [("ln_f.weight", (C,), "1", False), ("ln_f.bias", (C,), "0", False)]
    return specs


def init_params(cfg, device, dtype=torch.float32, seed=0):
    g = torch.Generator(device="cpu").manual_seed(seed)
    out = {}
    for name, shape, kind, _ in param_specs(cfg):
        if kind == "n":
            t = torch.randn(shape, generator=g) * 0.02
        elif kind == "r":
            t = torch.randn(shape, generator=g) * (0.02 / math.sqrt(2 * cfg["nLayer"]))
        else:
            t = torch.full(shape, float(kind))
        out[name] = t.to(device=device, dtype=dtype).requires_grad_(True)
    return out


def forward(P, cfg, tokens, sdpa=False):
    """tokens (B, T) long -> logits (B*T, V). sdpa=True uses PyTorch's fused causal attention (same math)."""
    B, T = tokens.shape
    C, nh = cfg["nEmbd"], cfg["nHead"]
    hs = C // nh
    N = B * T
    x = (P["wte"][tokens] + P["wpe"][:T]).reshape(N, C)
    causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
    scale = 1.0 / math.sqrt(hs)
    for l in range(cfg["nLayer"]):
        p = f"h.{l}."
        h = F.layer_norm(x, (C,), P[p + "ln_1.weight"], P[p + "ln_1.bias"], 1e-5)
        qkv = h @ P[p + "attn.c_attn.weight"] + P[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(C, dim=1)
        q = (q * scale).view(B, T, nh, hs).transpose(1, 2)
        k = k.view(B, T, nh, hs).transpose(1, 2)
        v = v.view(B, T, nh, hs).transpose(1, 2)
        if sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0)
        else:
            att = (q @ k.transpose(-1, -2)).masked_fill(~causal, float("-inf")).softmax(-1)
            y = att @ v
        y = y.transpose(1, 2).reshape(N, C)
        x = x + y @ P[p + "attn.c_proj.weight"] + P[p + "attn.c_proj.bias"]
        h = F.layer_norm(x, (C,), P[p + "ln_2.weight"], P[p + "ln_2.bias"], 1e-5)
        h = F.gelu(h @ P[p + "mlp.c_fc.weight"] + P[p + "mlp.c_fc.bias"])
        x = x + h @ P[p + "mlp.c_proj.weight"] + P[p + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (C,), P["ln_f.weight"], P["ln_f.bias"], 1e-5)
    return x @ P["wte"].t()


def sft_loss(logits, targets, mask):
    logp = logits.log_softmax(-1).gather(1, targets.view(-1, 1)).view(-1)
    return -(logp * mask).sum() / mask.sum().clamp(min=1.0)


def adamw_for(P, cfg, lr, o):
    decay = [P[n] for n, _, _, d in param_specs(cfg) if d]
    no_decay = [P[n] for n, _, _, d in param_specs(cfg) if not d]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": o["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["eps"], foreach=True,
    )
