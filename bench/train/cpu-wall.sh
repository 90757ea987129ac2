#!/usr/bin/env bash
# Is the CPU wall the runtime? At 2 and 16 threads: the train step's matrix products in onnxruntime (MLAS, spinning
# off and on) vs PyTorch (gemm-cpu.mjs, gemm_cpu.py), then the step-level spinning A/B on a quiet and a loaded
# machine (spinning.sh). Writes into OUTDIR: env.txt (machine, versions), gemm-plan.json, gemm.jsonl,
# gemm-table.txt, spinning.jsonl, spinning-table.txt. PyTorch's side is skipped, saying so, where torch is missing.
# Usage (repository root, after `npm run build`): bash bench/train/cpu-wall.sh OUTDIR   env THREADS="2 16"
set -eu
out=$1
mkdir -p "$out"
threads=${THREADS:-2 16}
t0=$SECONDS
say() { echo "cpu-wall.sh [$((SECONDS - t0)) s]: $*" >&2; }
torch=1
python3 -c 'import torch' 2>/dev/null || { torch=; say "python3 cannot import torch: pipe side only"; }
{
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')  nproc $(nproc)  $(date -u +%FT%TZ)"
  grep -m1 'model name' /proc/cpuinfo || true
  echo "node $(node --version), onnxruntime-node $(node -p "require('onnxruntime-node/package.json').version")"
  [ -n "$torch" ] && python3 -c 'import torch; print("torch", torch.__version__); print(torch.__config__.parallel_info())'
  true
} > "$out/env.txt" 2>&1
cat "$out/env.txt" >&2

node bench/train/gemm-cpu.mjs --plan > "$out/gemm-plan.json"
: > "$out/gemm.jsonl"
for t in $threads; do
  say "matrix products, onnxruntime, $t threads"
  node bench/train/gemm-cpu.mjs --threads "$t" --repeats 5 --min-ms 30 >> "$out/gemm.jsonl"
  if [ -n "$torch" ]; then
    say "matrix products, PyTorch, $t threads"
    python3 bench/train/gemm_cpu.py run "$out/gemm-plan.json" --threads "$t" --repeats 5 --min-ms 30 >> "$out/gemm.jsonl"
  fi
done
python3 bench/train/gemm_cpu.py table "$out/gemm.jsonl" | tee "$out/gemm-table.txt"

say "train-step spinning A/B, quiet then loaded"
THREADS="$threads" bash bench/train/spinning.sh "$out/spinning.jsonl" | grep -v '^{' | tee "$out/spinning-table.txt"
say "done"
