"""Prints bench/train results side by side: pipe vs PyTorch per shape, on the CPU and on the GPU, with ratios.
Usage: python3 bench/train/table.py results.jsonl"""
import json
import sys

rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
get = lambda impl, prov, shape: next((r for r in rows if r["impl"] == impl and r["provider"] == prov and r["shape"] == shape), None)
shapes = []
for r in rows:
    if r["shape"] not in shapes:
        shapes.append(r["shape"])
for title, pp, tp in [("CPU (same threads)", "cpu", "cpu"), ("GPU: pipe WebGPU EP vs PyTorch CUDA eager", "webgpu", "cuda")]:
    print(f"\n{title}")
    print(f"{'shape':6} {'params':>10} {'batch':>5} {'pipe tok/s':>11} {'torch tok/s':>11} {'pipe/torch':>10} {'pipe peak MiB':>14} {'torch peak MiB':>15}")
    for s in shapes:
        p, t = get("pipe", pp, s), get("torch", tp, s)
        if not p and not t:
            continue
        ratio = f"{p['tokensPerSecond'] / t['tokensPerSecond']:.2f}" if p and t else "-"
        mem = lambda r, k: str(r.get(k, "-")) if r else "-"
        pk = "peakGpuMiB" if pp == "webgpu" else "peakRssMiB"
        print(f"{s:6} {(p or t)['params']:>10} {(p or t)['batch']:>5} {p['tokensPerSecond'] if p else '-':>11} {t['tokensPerSecond'] if t else '-':>11} {ratio:>10} {mem(p, pk):>14} {mem(t, pk):>15}")
