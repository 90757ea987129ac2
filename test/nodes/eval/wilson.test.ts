import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../src/nodes/eval/wilson.js';

describe('wilsonInterval', () => {
  it('matches the textbook value for 8/10', () => {
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 3);
    expect(high).toBeCloseTo(0.9433, 3);
  });
  it('stays inside [0, 1] and is not degenerate at 0/n and n/n', () => {
    const zero = wilsonInterval(0, 100);
    expect(zero.low).toBe(0);
    expect(zero.high).toBeGreaterThan(0.03);
    expect(zero.high).toBeLessThan(0.04);
    const all = wilsonInterval(100, 100);
    expect(all.high).toBe(1);
    expect(all.low).toBeGreaterThan(0.96);
  });
  it('is [0, 1] with no trials and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    expect(() => wilsonInterval(3, 2)).toThrow(/Internal error/);
  });
});
