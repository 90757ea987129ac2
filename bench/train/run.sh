#!/usr/bin/env bash
# bench/train: training tokens/s of pipe vs PyTorch for GPT shapes of ≈1M, ≈10M and ≈50M parameters at sequence 256,
# on the CPU (same threads) and on the GPU (pipe WebGPU EP vs PyTorch CUDA eager), each shape in its own process so
# peak memory is per shape; GPU memory is the peak of nvidia-smi's memory.used over the run minus the idle value.
# Usage (GPU machine, after `npm run build`): bash bench/train/run.sh OUT_JSONL [shapes] ; env THREADS, CPU_BATCH,
# GPU_BATCH, CPU_STEPS, GPU_STEPS, SKIP_CPU=1, SKIP_GPU=1.
set -u
out=${1:-/tmp/bench-train.jsonl}
shapes=${2:-1m,10m,50m}
threads=${THREADS:-$(nproc)}
: > "$out"
gpumem() { # run a command, append peakGpuMiB to its JSON line
  local base; base=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
  local log; log=$(mktemp)
  ( while true; do nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1 >> "$log"; sleep 0.2; done ) &
  local pid=$!
  local line; line=$("$@" | tail -1)
  kill $pid; wait $pid 2>/dev/null
  local peak; peak=$(sort -n "$log" | tail -1); rm -f "$log"
  python3 -c "import json,sys; d=json.loads(sys.argv[1]); d['peakGpuMiB']=int(sys.argv[2])-int(sys.argv[3]); print(json.dumps(d))" "$line" "$peak" "$base"
}
for s in ${shapes//,/ }; do
  if [ -z "${SKIP_CPU:-}" ]; then
    timeout "${TO:-300}" node bench/train/pipe-train.mjs --provider cpu --shapes "$s" --batch "${CPU_BATCH:-8}" --steps "${CPU_STEPS:-3}" --threads "$threads" | tee -a "$out"
    timeout "${TO:-300}" python3 bench/train/torch_train.py --device cpu --shapes "$s" --batch "${CPU_BATCH:-8}" --steps "${CPU_STEPS:-3}" --threads "$threads" | tee -a "$out"
  fi
  if [ -z "${SKIP_GPU:-}" ]; then
    gpumem timeout "${TO:-300}" node bench/train/pipe-train.mjs --provider webgpu --shapes "$s" --batch "${GPU_BATCH:-16}" --steps "${GPU_STEPS:-10}" | tee -a "$out"
    gpumem timeout "${TO:-300}" python3 bench/train/torch_train.py --device cuda --shapes "$s" --batch "${GPU_BATCH:-16}" --steps "${GPU_STEPS:-10}" | tee -a "$out"
  fi
done
python3 bench/train/table.py "$out"
