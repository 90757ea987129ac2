import type { Rng } from '../util/rng.js';

// Scratch buffers reused by every call (one sampled token per call, V entries each): no allocation per token.
let byId = new Float64Array(0);
let sorted = new Float64Array(0);

/**
 * Picks the next token from one row of logits. temperature 0 = greedy (argmax, lowest id on ties); otherwise
 * softmax(logits/temperature) restricted to the smallest set of most likely tokens whose mass reaches topP,
 * sampled with the row's Rng (one uniform draw per token). `allowed(id)` removes tokens the caller never wants
 * (specials).
 *
 * With topP = 1 every allowed token is kept and the draw walks them in id order (inverse CDF: no sort, no
 * allocation — this runs once per generated token). With topP < 1 the kept set is the head of the most-likely-first
 * order (ties: lowest id first), walked in that order; the probabilities are sorted as plain numbers (native
 * typed-array sort) and the id of the drawn rank is looked up afterwards.
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
    if (l > bestV && allowed(i)) {
      best = i;
      bestV = l;
    }
  }
  if (best < 0) throw new Error('Internal error: no allowed token');
  if (opts.temperature <= 0) return best;
  if (byId.length < V) {
    byId = new Float64Array(V);
    sorted = new Float64Array(V);
  }
  const nucleus = opts.topP > 0 && opts.topP < 1;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < V; i++) {
    if (!allowed(i)) {
      byId[i] = -1; // never equal to a probability
      continue;
    }
    const p = Math.exp(((logits[i] as number) - bestV) / opts.temperature);
    byId[i] = p;
    if (nucleus) sorted[n++] = p;
    sum += p;
  }
  if (!nucleus) {
    let u = rng.next() * sum;
    let last = best;
    for (let i = 0; i < V; i++) {
      const p = byId[i] as number;
      if (p < 0) continue;
      u -= p;
      if (u < 0) return i;
      last = i;
    }
    return last; // rounding left u ≥ 0: the last allowed id
  }
  const topP = opts.topP;
  const desc = sorted.subarray(0, n).sort(); // ascending: rank r (most likely first) is desc[n − 1 − r]
  let kept = 0;
  let mass = 0;
  let keptSum = 0;
  while (kept < n) {
    const p = desc[n - 1 - kept] as number;
    kept++;
    keptSum += p;
    mass += p / sum;
    if (mass >= topP) break;
  }
  let u = rng.next() * keptSum;
  for (let r = 0; r < kept; r++) {
    u -= desc[n - 1 - r] as number;
    if (u < 0) return idOfRank(desc, n, r, V);
  }
  return idOfRank(desc, n, kept - 1, V);
}

/** The id of the rank-r most likely token: among equal probabilities, lower ids rank first. */
function idOfRank(desc: Float64Array, n: number, r: number, V: number): number {
  const p = desc[n - 1 - r] as number;
  let before = 0; // equal probabilities ranked ahead of r
  for (let q = r - 1; q >= 0 && desc[n - 1 - q] === p; q--) before++;
  for (let i = 0; i < V; i++) {
    if (byId[i] === p) {
      if (before === 0) return i;
      before--;
    }
  }
  throw new Error('Internal error: sampled rank without a token');
}

/**
 * Draws an id from one row of probabilities (≥ 0; the decode graph's softmax(logits / temperature), the 'graph'
 * sampler) with one uniform of the row's Rng: inverse CDF in id order over the float32 probabilities, summed in
 * float64 — the draw sampleToken makes at topP = 1, without its Math.exp over the vocabulary (onnxruntime's
 * vectorized exp did it). The probabilities are rescaled by their sum, so rounding in the softmax shifts no mass.
 */
export function drawFromProbs(probs: Float32Array, rng: Rng): number {
  const V = probs.length;
  let sum = 0;
  for (let i = 0; i < V; i++) sum += probs[i] as number;
  if (!(sum > 0) || !Number.isFinite(sum)) throw new Error(`Internal error: probabilities summing to ${sum}`);
  let u = rng.next() * sum;
  for (let i = 0; i < V; i++) {
    u -= probs[i] as number;
    if (u < 0) return i;
  }
  // Rounding left u ≥ 0: the last id with any mass.
  for (let i = V - 1; i > 0; i--) if ((probs[i] as number) > 0) return i;
  return 0;
}
