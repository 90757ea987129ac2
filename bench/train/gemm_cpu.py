"""PyTorch side of gemm-cpu.mjs, and the side-by-side table.
  python3 bench/train/gemm_cpu.py run PLAN.json --threads N [--repeats 5] [--min-ms 40]
      times every product of PLAN.json (`node bench/train/gemm-cpu.mjs --plan > PLAN.json`) in PyTorch on the CPU
      with torch.set_num_threads(N): the same fp32 shapes and transposes (a transposed operand is a transposed view,
      as autograd passes it to the BLAS), preallocated outputs (out=), the same timing as gemm-cpu.mjs.
  python3 bench/train/gemm_cpu.py table FILE.jsonl...
      pipe (spinning off / on) vs torch GFLOP/s per product, per shape and thread count, and the step's matrix-product
      time Σ count·ms; needs no torch."""
import json
import math
import statistics
import sys
import time


def run(plan_file, threads, repeats, min_ms):
    import torch

    torch.set_num_threads(threads)
    for p in json.load(open(plan_file)):
        stored = lambda dims: torch.rand(dims) - 0.5
        a, b = stored(p["a"]), stored(p["b"])
        a = a.transpose(-1, -2) if p["transA"] else a
        b = b.transpose(-1, -2) if p["transB"] else b
        y = torch.empty(p["y"])
        if p["bias"]:
            c = stored([p["n"]])
            f = lambda: torch.addmm(c, a, b, out=y)
        elif p["batch"] > 1:
            f = lambda: torch.bmm(a, b, out=y)
        else:
            f = lambda: torch.mm(a, b, out=y)
        # Two warm-up runs, the second timed to size the loops (each ≥ min_ms), then the median of `repeats` loops.
        f()
        t0 = time.perf_counter()
        f()
        runs = max(1, math.ceil(min_ms / ((time.perf_counter() - t0) * 1000)))
        per = []
        for _ in range(repeats):
            t = time.perf_counter()
            for _ in range(runs):
                f()
            per.append((time.perf_counter() - t) * 1000 / runs)
        ms = statistics.median(per)
        desc = {k: v for k, v in p.items() if k not in ("a", "b", "y")}
        print(json.dumps({"impl": "torch", **desc, "threads": threads, "runs": runs, "repeats": repeats, "ms": round(ms, 4), "gflops": round(p["flops"] / ms / 1e6, 1)}), flush=True)


def table(files):
    rows = [json.loads(l) for f in files for l in open(f) if l.strip().startswith("{")]
    key = lambda r: (r["threads"], r["shape"])
    groups = []
    for r in rows:
        if key(r) not in groups:
            groups.append(key(r))
    variants = [("pipe", False, "pipe"), ("pipe", True, "pipe+spin"), ("torch", None, "torch")]
    get = lambda g, prod, impl, spin: next((r for r in rows if key(r) == g and r["product"] == prod and r["impl"] == impl and (spin is None or r.get("spinning") == spin)), None)
    fmt = lambda x, spec: format(x, spec) if x is not None else format("-", ">" + spec.split(".")[0])
    for g in sorted(groups, key=lambda g: (g[0], groups.index(g))):  # by threads, shapes in file order
        products = []
        for r in rows:
            if key(r) == g and r["product"] not in products and r["product"] != "call overhead":
                products.append(r["product"])
        print(f"\n{g[0]} threads, shape {g[1]} — GFLOP/s (ratio = pipe / torch)")
        print(f"{'product':20} {'M×K×N':>16} {'batch':>5} {'×':>3} {'pipe':>7} {'+spin':>7} {'torch':>7} {'pipe/t':>7} {'spin/t':>7}")
        step = {label: 0.0 for _, _, label in variants}
        for prod in products:
            got = [get(g, prod, impl, spin) for impl, spin, _ in variants]
            any_row = next(r for r in got if r)
            for (_, _, label), r in zip(variants, got):
                step[label] = step[label] + r["ms"] * r["count"] if r and step[label] is not None else None
            gf = [r["gflops"] if r else None for r in got]
            ratio = lambda x: x / gf[2] if x is not None and gf[2] else None
            dims = f"{any_row['m']}×{any_row['k']}×{any_row['n']}"
            print(f"{prod:20} {dims:>16} {any_row['batch']:>5} {any_row['count']:>3} {fmt(gf[0], '7.1f')} {fmt(gf[1], '7.1f')} {fmt(gf[2], '7.1f')} {fmt(ratio(gf[0]), '7.2f')} {fmt(ratio(gf[1]), '7.2f')}")
        # Σ count·ms: the matrix products of one train step (the q·kᵀ and P·v of the forward included, see gemm-cpu.mjs).
        calls = [get(g, "call overhead", impl, spin) for impl, spin, _ in variants]
        print(f"{'ms per call (1×1×1)':20} {'':>16} {'':>5} {'':>3} " + " ".join(fmt(r["ms"] if r else None, "7.4f") for r in calls))
        t = step["torch"]
        print(f"{'step Σ count·ms':20} {'':>16} {'':>5} {'':>3} {fmt(step['pipe'], '7.1f')} {fmt(step['pipe+spin'], '7.1f')} {fmt(t, '7.1f')} {fmt(t / step['pipe'] if t and step['pipe'] else None, '7.2f')} {fmt(t / step['pipe+spin'] if t and step['pipe+spin'] else None, '7.2f')}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("run", "table"):
        sys.exit(__doc__)
    if sys.argv[1] == "table":
        table(sys.argv[2:])
    else:
        import argparse

        ap = argparse.ArgumentParser()
        ap.add_argument("plan")
        ap.add_argument("--threads", type=int, required=True)
        ap.add_argument("--repeats", type=int, default=5)
        ap.add_argument("--min-ms", type=float, default=40)
        a = ap.parse_args(sys.argv[2:])
        run(a.plan, a.threads, a.repeats, a.min_ms)
