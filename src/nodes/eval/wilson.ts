/**
 * Wilson score interval for a binomial proportion: unlike the normal approximation it stays inside [0, 1] and is
 * sensible at 0/n and n/n, which is exactly where small models on hard splits live.
 */

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/** The Wilson interval for `successes` out of `n` trials (n = 0 gives [0, 1]). */
export function wilsonInterval(successes: number, n: number, z = Z95): { readonly low: number; readonly high: number } {
  if (!(n >= 0) || !(successes >= 0) || successes > n) {
    throw new Error(`Internal error: wilsonInterval(${successes}, ${n})`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At 0/n and n/n the bound is exactly 0 (or 1); don't let rounding leave 3e-18 there.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}
