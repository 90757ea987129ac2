import { describe, expect, it } from 'vitest';
import { gradcheckAll, uncheckedRules } from '../../src/nn/grad/gradcheck.js';

describe('gradient rules vs central finite differences', () => {
  it('every rule in the table has a finite-difference case', () => {
    expect(uncheckedRules()).toEqual([]);
  });

  it('every rule matches finite differences (float64 where the CPU EP has it)', async () => {
    const s = await gradcheckAll();
    const bad = s.results.filter((r) => !r.ok).map((r) => `${r.label}: ${r.relError} ${r.error ?? ''}`);
    expect(bad).toEqual([]);
    expect(s.failed).toBe(0);
    // float64 cases are far tighter than the float32 fallback bound.
    for (const r of s.results) if (r.dtype === 'float64') expect(r.relError).toBeLessThan(1e-6);
  }, 60_000);
});
