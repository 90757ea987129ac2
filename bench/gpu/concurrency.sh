#!/usr/bin/env bash
# bench/gpu/concurrency: aggregate training tokens/s when K trainings share one machine — K processes on one GPU
# (WebGPU EP) and K processes on the CPU EP (2 threads each) — to size a sweep such as pipelines/study-gpu.yaml
# and to pick `pipe run --gpus K --jobs J`. Prints one JSON line per (provider, K) with the summed tokens/s.
# Usage (GPU machine, after `npm run build`): bash bench/gpu/concurrency.sh [gpuKs] [cpuKs]   e.g. 1,2,4,8 1,4,8
# env: SHAPE (3m), BATCH (64), SEQ (224), STEPS (30), CPU_SHAPE (1m), CPU_STEPS (4)
set -u
gpuKs=${1:-1,2,4,8}
cpuKs=${2:-1,4,8}
probe() { # provider K shape steps extra-args...
  local prov=$1 k=$2 shape=$3 steps=$4; shift 4
  local dir; dir=$(mktemp -d)
  local t0; t0=$(date +%s%N)
  for i in $(seq "$k"); do
    node bench/train/pipe-train.mjs --provider "$prov" --shapes "$shape" --batch "${BATCH:-64}" --seq "${SEQ:-224}" \
      --steps "$steps" "$@" > "$dir/$i.json" 2> "$dir/$i.err" &
  done
  wait
  local wall; wall=$(( ($(date +%s%N) - t0) / 1000000 ))
  python3 - "$dir" "$prov" "$k" "$shape" "$wall" <<'PY'
import json, os, sys
d, prov, k, shape, wall = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]) / 1000
rows = []
for f in sorted(os.listdir(d)):
    if f.endswith('.json'):
        txt = open(os.path.join(d, f)).read().strip().splitlines()
        if txt: rows.append(json.loads(txt[-1]))
errs = [open(os.path.join(d, f)).read()[-300:] for f in os.listdir(d) if f.endswith('.err') and os.path.getsize(os.path.join(d, f))]
tps = [r['tokensPerSecond'] for r in rows]
print(json.dumps({'provider': prov, 'k': k, 'shape': shape, 'ok': len(rows), 'sumTokensPerSecond': sum(tps),
                  'perProcess': tps, 'msPerStep': [r['msPerStep'] for r in rows], 'wallS': round(wall, 1),
                  'errors': errs[:1]}))
PY
  rm -rf "$dir"
}
for k in ${gpuKs//,/ }; do probe webgpu "$k" "${SHAPE:-3m}" "${STEPS:-30}"; done
for k in ${cpuKs//,/ }; do probe cpu "$k" "${CPU_SHAPE:-1m}" "${CPU_STEPS:-4}" --threads 2; done
