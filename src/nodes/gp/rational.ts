/**
 * Exact rational arithmetic for the 24 solver, in two interchangeable implementations: a fast one on doubles that
 * reports overflow past 2^53 instead of rounding, and an exact BigInt one the solver falls back to when that
 * happens. Values are kept normalized (gcd-reduced, positive denominator), so equal rationals have equal keys.
 */

/** Arithmetic over rationals of type T; operations return null on division by zero or (fast variant) overflow. */
export interface RationalArith<T> {
  fromInt(v: number): T;
  add(a: T, b: T): T | null;
  sub(a: T, b: T): T | null;
  mul(a: T, b: T): T | null;
  div(a: T, b: T): T | null;
  equalsInt(a: T, v: number): boolean;
  /** Canonical text: `7`, `-8/3`. */
  text(a: T): string;
  /** Set once any operation overflowed (never for the exact variant). */
  overflowed: boolean;
}

/** A rational on doubles: both parts safe integers. */
export interface NumRational {
  readonly n: number;
  readonly d: number;
}

function gcdNum(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The fast rational arithmetic; returns null (and sets `overflowed`) instead of losing precision. */
export function numberArith(): RationalArith<NumRational> {
  const arith: RationalArith<NumRational> = {
    overflowed: false,
    fromInt: (v) => ({ n: v, d: 1 }),
    add: (a, b) => make(a.n * b.d + b.n * a.d, a.d * b.d, a.n * b.d, b.n * a.d),
    sub: (a, b) => make(a.n * b.d - b.n * a.d, a.d * b.d, a.n * b.d, b.n * a.d),
    mul: (a, b) => make(a.n * b.n, a.d * b.d),
    div: (a, b) => (b.n === 0 ? null : make(a.n * b.d * Math.sign(b.n), a.d * Math.abs(b.n))),
    equalsInt: (a, v) => a.d === 1 && a.n === v,
    text: (a) => (a.d === 1 ? String(a.n) : `${a.n}/${a.d}`),
  };
  function make(n: number, d: number, ...parts: number[]): NumRational | null {
    if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d) || !parts.every(Number.isSafeInteger)) {
      arith.overflowed = true;
      return null;
    }
    const g = gcdNum(n, d) || 1;
    return { n: n / g + 0, d: d / g };
  }
  return arith;
}

/** An exact rational on BigInt. */
export interface BigRational {
  readonly n: bigint;
  readonly d: bigint;
}

function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function makeBig(n: bigint, d: bigint): BigRational {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcdBig(n, d);
  return g === 0n || g === 1n ? { n, d } : { n: n / g, d: d / g };
}

/** The exact (slower) rational arithmetic; never overflows. */
export function bigArith(): RationalArith<BigRational> {
  return {
    overflowed: false,
    fromInt: (v) => ({ n: BigInt(v), d: 1n }),
    add: (a, b) => makeBig(a.n * b.d + b.n * a.d, a.d * b.d),
    sub: (a, b) => makeBig(a.n * b.d - b.n * a.d, a.d * b.d),
    mul: (a, b) => makeBig(a.n * b.n, a.d * b.d),
    div: (a, b) => (b.n === 0n ? null : makeBig(a.n * b.d, a.d * b.n)),
    equalsInt: (a, v) => a.d === 1n && a.n === BigInt(v),
    text: (a) => (a.d === 1n ? String(a.n) : `${a.n}/${a.d}`),
  };
}
