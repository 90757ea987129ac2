// Host time per sampled token, per vocabulary size: greedy (sampleToken at T = 0, an argmax), the host sampler
// (sampleToken at T = 0.5, topP = 1: exp over the vocabulary) and the graph sampler's host part (drawFromProbs over
// probabilities the decode graph computed). 8 rows of random logits (spread 20), fastest of 3 passes.
// Run: npm run build && node bench/eval/sampler-cost.mjs [260,49152,151936]
import { performance } from 'node:perf_hooks';
import { drawFromProbs, sampleToken } from '../../dist/nn/sampling.js';
import { Rng } from '../../dist/util/rng.js';

const sizes = (process.argv[2] ?? '260,49152,151936').split(',').map(Number);
const all = () => true;
for (const V of sizes) {
  const g = new Rng(1);
  const rows = Array.from({ length: 8 }, () => Float32Array.from({ length: V }, () => (g.next() - 0.5) * 20));
  const probs = rows.map((l) => {
    const m = l.reduce((a, b) => Math.max(a, b), -Infinity);
    const e = Array.from(l, (x) => Math.exp((x - m) / 0.5));
    const z = e.reduce((a, b) => a + b, 0);
    return Float32Array.from(e, (x) => x / z);
  });
  const rng = new Rng(2);
  const n = Math.max(200, Math.floor(2e7 / V));
  const time = (f) => {
    for (let i = 0; i < n / 4; i++) f(i); // warm-up
    const best = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) f(i);
      best.push(((performance.now() - t0) * 1000) / n);
    }
    return Math.min(...best).toFixed(1);
  };
  const greedy = time((i) => sampleToken(rows[i % 8], { temperature: 0, topP: 1 }, rng, all));
  const host = time((i) => sampleToken(rows[i % 8], { temperature: 0.5, topP: 1 }, rng, all));
  const graph = time((i) => drawFromProbs(probs[i % 8], rng));
  console.log(`vocabulary ${V}: µs per token: greedy ${greedy}, host sampler (T = 0.5) ${host}, graph sampler's draw ${graph}`);
}
