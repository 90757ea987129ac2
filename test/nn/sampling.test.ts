import { describe, expect, it } from 'vitest';
import { drawFromProbs, sampleToken } from '../../src/nn/sampling.js';
import { Rng } from '../../src/util/rng.js';

/** Nucleus sampling as first written (full sort of (probability, id) pairs): the specification the fast one must match. */
function referenceSample(logits: Float32Array, opts: { temperature: number; topP: number }, rng: Rng, allowed: (id: number) => boolean): number {
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i] as number;
    if (allowed(i) && l > bestV) {
      best = i;
      bestV = l;
    }
  }
  if (opts.temperature <= 0) return best;
  const ids: number[] = [];
  const probs: number[] = [];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
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

describe('sampleToken', () => {
  it('with topP < 1 draws the same token as a full sort of (probability, id) pairs, ties and masked ids included', () => {
    const gen = new Rng(3);
    let sampled = 0;
    for (let trial = 0; trial < 400; trial++) {
      const V = 1 + Math.floor(gen.next() * 300);
      // Few distinct values make many exact ties; a wide scale makes peaked and flat rows.
      const levels = 1 + Math.floor(gen.next() * 12);
      const scale = gen.next() * 20;
      const logits = Float32Array.from({ length: V }, () => Math.floor(gen.next() * levels) * scale - 3);
      const mask = Array.from({ length: V }, () => gen.next() < 0.9);
      mask[Math.floor(gen.next() * V)] = true;
      const allowed = (id: number) => mask[id] as boolean;
      const opts = { temperature: [0, 0.5, 1, 2][trial % 4] as number, topP: [0.999, 0.9, 0.5, 0.05][Math.floor(trial / 4) % 4] as number };
      const seed = Math.floor(gen.next() * 1e9);
      const a = new Rng(seed);
      const b = new Rng(seed);
      for (let draw = 0; draw < 20; draw++) {
        const got = sampleToken(logits, opts, a, allowed);
        expect(got).toBe(referenceSample(logits, opts, b, allowed));
        expect(allowed(got)).toBe(true);
        if (opts.temperature > 0) sampled++;
      }
    }
    expect(sampled).toBeGreaterThan(5000);
  });

  it('with topP = 1 draws every allowed token with its softmax probability, the same tokens for the same seed', () => {
    const logits = Float32Array.from([2, 0.5, 3, -1, 2, 9]);
    const allowed = (id: number) => id !== 5;
    const T = 0.7;
    const w = Array.from(logits, (l, i) => (allowed(i) ? Math.exp(l / T) : 0));
    const z = w.reduce((a, b) => a + b, 0);
    const draws = 40_000;
    const rng = new Rng(11);
    const counts = new Array(logits.length).fill(0);
    const seq: number[] = [];
    for (let k = 0; k < draws; k++) {
      const id = sampleToken(logits, { temperature: T, topP: 1 }, rng, allowed);
      counts[id]++;
      if (k < 50) seq.push(id);
    }
    expect(counts[5]).toBe(0);
    // 5 standard deviations of a binomial proportion at n = 40 000 is at most 0.0125.
    counts.forEach((c, i) => expect(Math.abs(c / draws - (w[i] as number) / z)).toBeLessThan(0.0125));
    const again = new Rng(11);
    expect(Array.from({ length: 50 }, () => sampleToken(logits, { temperature: T, topP: 1 }, again, allowed))).toEqual(seq);
  });

  it('is greedy at temperature 0: the lowest id among the largest allowed logits', () => {
    const logits = Float32Array.from([1, 5, 5, 7, 7]);
    expect(sampleToken(logits, { temperature: 0, topP: 1 }, new Rng(1), (id) => id !== 3)).toBe(4);
    expect(sampleToken(logits, { temperature: 0, topP: 1 }, new Rng(1), (id) => id < 3)).toBe(1);
  });
});

describe('drawFromProbs', () => {
  it("draws sampleToken's token (topP = 1) from the float32 softmax, uniform for uniform, over rows of up to 5,000 ids", () => {
    const gen = new Rng(5);
    let differ = 0;
    let notArgmax = 0;
    for (let trial = 0; trial < 300; trial++) {
      const V = 1 + Math.floor(gen.next() * 5000);
      const scale = gen.next() * 30;
      const logits = Float32Array.from({ length: V }, () => (gen.next() - 0.5) * scale);
      const T = [0.3, 0.7, 1, 2][trial % 4] as number;
      const max = Math.max(...logits);
      const e = Array.from(logits, (l) => Math.exp((l - max) / T));
      const z = e.reduce((a, b) => a + b, 0);
      const probs = Float32Array.from(e, (x) => x / z);
      const seed = Math.floor(gen.next() * 1e9);
      const a = sampleToken(logits, { temperature: T, topP: 1 }, new Rng(seed), () => true);
      const b = drawFromProbs(probs, new Rng(seed));
      if (a !== b) differ++;
      if (b !== logits.indexOf(max)) notArgmax++;
    }
    // The two cumulative distributions differ by float32 rounding only: a uniform would have to land within ~1e-7
    // of a boundary to split them.
    expect(differ).toBe(0);
    expect(notArgmax).toBeGreaterThan(50); // draws that depend on where the uniform falls, not only the argmax
  });

  it('never draws an id without mass, and draws the others in proportion', () => {
    const probs = Float32Array.from([0, 0.25, 0, 0.5, 0.25, 0]);
    const rng = new Rng(9);
    const counts = new Array(probs.length).fill(0);
    const draws = 40_000;
    for (let k = 0; k < draws; k++) counts[drawFromProbs(probs, rng)]++;
    expect(counts[0] + counts[2] + counts[5]).toBe(0);
    counts.forEach((c, i) => expect(Math.abs(c / draws - (probs[i] as number))).toBeLessThan(0.0125));
  });
});
