"""PyTorch (CUDA, eager) side of ops.mjs: the same chains of 10 memory-bound ops over 100 MB. Usage: python3 bench/gpu/ops.py"""
import json
import time

import torch

R, T = 64 * 6 * 256, 256
x = torch.full((R, T), 0.5, device="cuda")
m = torch.full((T, T), 0.001, device="cuda")
r = torch.full((R, 1), 0.001, device="cuda")
probes = {
    "Mul by scalar": (2, lambda y: y * 0.999),
    "Mul same shape": (3, lambda y: y * x),
    "Add (T,T) mask broadcast": (2, lambda y: (y.view(-1, T, T) + m).view(R, T)),
    "Sub row stat (R,1)": (2, lambda y: y - r),
    "Softmax last axis": (2, lambda y: y.softmax(-1)),
    "ReduceSum last axis + Expand back": (2, lambda y: y.sum(-1, keepdim=True).expand(R, T).contiguous()),
    "Transpose swap (T,T) blocks, then Mul": (4, lambda y: y.view(-1, T, T).transpose(1, 2).contiguous().view(R, T) * 0.999),
    "Erf": (2, lambda y: torch.erf(y)),
}
for name, (io, f) in probes.items():
    def chain():
        y = x
        for _ in range(10):
            y = f(y)
        return y
    for _ in range(2):
        chain()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(5):
        chain()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) * 1000 / 5
    print(json.dumps({"provider": "cuda", "op": name, "msPer10": round(ms, 2), "gbPerS": round(10 * io * R * T * 4 / ms / 1e6)}))
