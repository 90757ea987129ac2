"""PyTorch side of gemm.mjs: the same 10 chained fp32 products (TF32 off), CUDA, timed with synchronisation.
Usage: python3 bench/gpu/gemm.py [M] [C,C]"""
import json
import sys
import time

import torch

torch.backends.cuda.matmul.allow_tf32 = False
M = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
for C in [int(c) for c in (sys.argv[2] if len(sys.argv) > 2 else "384,768").split(",")]:
    x = torch.randn(M, C, device="cuda")
    w1 = torch.randn(C, 4 * C, device="cuda") / C**0.5
    w2 = torch.randn(4 * C, C, device="cuda") / (4 * C) ** 0.5

    def chain():
        y = x
        for _ in range(5):
            y = (y @ w1) @ w2
        return y

    for _ in range(3):
        chain()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(20):
        chain()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) * 1000 / 20
    print(json.dumps({"impl": "torch", "provider": "cuda", "M": M, "C": C, "msPerRun": round(ms, 3), "tflops": round(10 * 2 * M * C * 4 * C / ms / 1e9, 2)}))

n = 64 * 6 * 256 * 256
x = torch.ones(n, device="cuda")


def ew():
    y = x
    for _ in range(10):
        y = y * 0.999 + 0.001
    return y


for _ in range(3):
    ew()
torch.cuda.synchronize()
t0 = time.perf_counter()
for _ in range(10):
    ew()
torch.cuda.synchronize()
ms = (time.perf_counter() - t0) * 1000 / 10
print(json.dumps({"impl": "torch", "provider": "cuda", "elementwiseOps": 20, "mb": n * 4 / 1e6, "msPerRun": round(ms, 2), "gbPerS": round(20 * 2 * n * 4 / ms / 1e6)}))
