#!/usr/bin/env bash
# Step-level spinning A/B, to pick the Trainer's `spinning` default by measurement: the CPU train step with
# onnxruntime's idle intra-op workers sleeping (off, the default) vs spinning (on), per thread count and shape, on
# the machine as it is (quiet) and then loaded. Loaded = LOAD busy-looping node processes (default: one per core,
# not pinned, at normal priority, like other training jobs would be), started before the loaded runs and killed
# after them (and on any exit). Each (variant, round) runs in its own process, alternating (cpu-profile.mjs
# --isolate), so one variant's spinning pool never takes cores from the other's.
# Usage (repository root, after `npm run build`): bash bench/train/spinning.sh OUT.jsonl
#   env THREADS="2 16", SHAPES="default 1m", ROUNDS=4, STEPS=2, LOAD=$(nproc), LOADS="quiet loaded"
set -eu
out=$1
: > "$out"
nn=dist/nn/index.js
busy=()
stop() { for p in "${busy[@]}"; do kill "$p" 2>/dev/null || true; done; busy=(); }
trap stop EXIT
trap 'stop; exit 130' INT TERM
for load in ${LOADS:-quiet loaded}; do
  if [ "$load" = loaded ]; then
    for _ in $(seq "${LOAD:-$(nproc)}"); do node -e 'for (;;) {}' & busy+=($!); done
    sleep 1
  fi
  for t in ${THREADS:-2 16}; do
    for s in ${SHAPES:-default 1m}; do
      avg=$(cut -d' ' -f1 /proc/loadavg)
      echo "spinning.sh: $load, $t threads, shape $s (load average $avg)" >&2
      node bench/train/cpu-profile.mjs --isolate --shape "$s" --threads "$t" --rounds "${ROUNDS:-4}" --steps "${STEPS:-2}" \
        --impl "off=$nn,on=$nn+spin" | sed "s/^{/{\"load\":\"$load\",\"busyProcesses\":${#busy[@]},\"loadavg1Before\":$avg,/" | tee -a "$out" &
      wait $! # in the background, so that a signal's trap kills the busy loops at once, not after this run
    done
  done
  stop
done
python3 - "$out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print(f"\n{'load':7} {'threads':>7} {'shape':8} {'off tok/s':>10} {'on tok/s':>10} {'on/off':>7} {'off CPU ms':>11} {'on CPU ms':>10} {'CPU on/off':>10}")
for r in rows:
    if r["impl"] != "off":
        continue
    on = next(o for o in rows if o["impl"] == "on" and all(o[k] == r[k] for k in ("load", "threads", "shape")))
    print(f"{r['load']:7} {r['threads']:>7} {r['shape']:8} {r['tokensPerSecond']:>10} {on['tokensPerSecond']:>10} {on['speedupVsFirst']:>7.2f} "
          f"{r['medianCpuMsPerStep']:>11.0f} {on['medianCpuMsPerStep']:>10.0f} {on['medianCpuMsPerStep'] / r['medianCpuMsPerStep']:>10.2f}")
EOF
