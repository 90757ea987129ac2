"""PyTorch baseline for bench/train: the same GPT (bench/gpu/gpt_torch.py), batch, sequence length, AdamW and
clipping as pipe-train.mjs, eager mode, float32. Prints one JSON line per shape.
Usage: python3 bench/train/torch_train.py --device cpu|cuda --shapes 1m,10m,50m --batch 8 --seq 256 --steps 5
       [--threads N] [--no-sdpa]"""
import argparse
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "gpu"))
from gpt_torch import adamw_for, forward, init_params, param_specs, sft_loss  # noqa: E402

SHAPES = {
    "1m": dict(nLayer=4, nHead=4, nEmbd=128),
    "3m": dict(nLayer=4, nHead=8, nEmbd=256),
    "10m": dict(nLayer=6, nHead=6, nEmbd=384),
    "50m": dict(nLayer=7, nHead=12, nEmbd=768),
}
ap = argparse.ArgumentParser()
ap.add_argument("--device", default="cpu")
ap.add_argument("--shapes", default="1m,10m,50m")
ap.add_argument("--batch", type=int, default=8)
ap.add_argument("--seq", type=int, default=256)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--threads", type=int)
ap.add_argument("--no-sdpa", action="store_true")
a = ap.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.backends.cuda.matmul.allow_tf32 = False  # pipe computes in true fp32; so does the baseline
torch.backends.cudnn.allow_tf32 = False
o = dict(lr=1e-3, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1)
B, T = a.batch, a.seq
dev = torch.device(a.device)
sync = (lambda: torch.cuda.synchronize()) if dev.type == "cuda" else (lambda: None)
for name in a.shapes.split(","):
    cfg = dict(vocabSize=260, blockSize=T, **SHAPES[name])
    P = init_params(cfg, dev)
    opt = adamw_for(P, cfg, o["lr"], o)
    g = torch.Generator(device="cpu").manual_seed(3)
    data = [(torch.randint(0, 256, (B, T), generator=g).to(dev), torch.randint(0, 256, (B * T,), generator=g).to(dev)) for _ in range(2)]
    mask = torch.ones(B * T, device=dev)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()

    def step(i):
        tokens, targets = data[i % 2]
        opt.zero_grad(set_to_none=True)
        loss = sft_loss(forward(P, cfg, tokens, sdpa=not a.no_sdpa), targets, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
        return loss

    step(0)
    sync()
    t0 = time.perf_counter()
    for i in range(a.steps):
        loss = step(i)
    sync()
    sec = time.perf_counter() - t0
    out = dict(impl="torch", provider=a.device, shape=name, params=sum(p.numel() for p in P.values()), batch=B, seq=T,
               steps=a.steps, threads=torch.get_num_threads(), sdpa=not a.no_sdpa,
               tokensPerSecond=round(a.steps * B * T / sec), msPerStep=round(1000 * sec / a.steps), loss=float(loss.detach()),
               peakRssMiB=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    if dev.type == "cuda":
        out["peakCudaAllocMiB"] = round(torch.cuda.max_memory_allocated() / 2**20)
    print(json.dumps(out), flush=True)
    del P, opt
