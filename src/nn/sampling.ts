import type { Rng } from '../util/rng.js';

/**
 * Picks the next token from one row of logits. temperature 0 = greedy (argmax, lowest id on ties); otherwise
 * softmax(logits/temperature) restricted to the smallest set of most likely tokens whose mass reaches topP,
 * sampled with the row's Rng. `allowed(id)` removes tokens the caller never wants (specials).
 */
export function sampleToken(
  logits: Float32Array,
  opts: { temperature: number; topP: number },
  rng: Rng,
  allowed: (id: number) => boolean,
): number {
  const V = logits.length;
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < V; i++) {
    const l = logits[i] as number;
    if (allowed(i) && l > bestV) {
      best = i;
      bestV = l;
    }
  }
  if (best < 0) throw new Error('Internal error: no allowed token');
  if (opts.temperature <= 0) return best;
  const ids: number[] = [];
  const probs: number[] = [];
  let sum = 0;
  for (let i = 0; i < V; i++) {
    if (!allowed(i)) continue;
    const p = Math.exp(((logits[i] as number) - bestV) / opts.temperature);
    ids.push(i);
    probs.push(p);
    sum += p;
  }
  const order = ids.map((_, k) => k).sort((a, b) => (probs[b] as number) - (probs[a] as number) || (ids[a] as number) - (ids[b] as number));
  const topP = opts.topP > 0 && opts.topP < 1 ? opts.topP : 1;
  const kept: number[] = [];
  let mass = 0;
  for (const k of order) {
    kept.push(k);
    mass += (probs[k] as number) / sum;
    if (mass >= topP) break;
  }
  const keptSum = kept.reduce((s, k) => s + (probs[k] as number), 0);
  let u = rng.next() * keptSum;
  for (const k of kept) {
    u -= probs[k] as number;
    if (u < 0) return ids[k] as number;
  }
  return ids[kept[kept.length - 1] as number] as number;
}
