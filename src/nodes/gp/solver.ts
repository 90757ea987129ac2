/**
 * The exact 24 solver: pairwise reduction over rationals (pick two numbers, combine them with + − × ÷ in either
 * order, recurse), which covers every permutation × operator × bracketing of the reference's Rosetta-code solver.
 *
 * Among the solutions it prefers one that the *scorer* also accepts: the reward evaluates formulas with Python
 * float division, under which some exact solutions (`8/(3-8/3)`) miss 24. Each subexpression carries its Python
 * value next to its rational one, and the formula is printed so that it parses back to the same tree (a right
 * operand of equal precedence is parenthesized), so that Python value is what `eval` returns. When no solution
 * survives float evaluation, the first exact one is returned (`floatExact: false`).
 *
 * Results are memoized by (target, sorted values), so generating 10k dataset rows costs a few thousand solves.
 */
import { bigArith, numberArith, type RationalArith } from './rational.js';

/** One reduction step of a solution: `left op right = result`, as rationals in canonical text. */
export interface SolveStep {
  readonly left: string;
  readonly op: '+' | '-' | '*' | '/';
  readonly right: string;
  readonly result: string;
  /** The numbers left after this step (canonical text), in the order the solver holds them. */
  readonly remaining: readonly string[];
}

/** A solution: the formula, how the search reached it, and whether Python's float evaluation also gives the target. */
export interface GpSolution {
  readonly formula: string;
  readonly steps: readonly SolveStep[];
  readonly floatExact: boolean;
}

/** Python value of a subexpression as a double (ints stay exact while safe); null once unknown. */
export interface PyNum {
  readonly int: boolean;
  readonly v: number;
}

/** A subexpression during the search: its rational value, canonical text, printed formula, precedence, Python value. */
export interface Term<T> {
  readonly r: T;
  readonly text: string;
  readonly expr: string;
  /** 3 = atom, 2 = * /, 1 = + - */
  readonly prec: number;
  readonly py: PyNum | null;
}

/** A binary operator of a formula, and its precedence. */
export type Op = SolveStep['op'];
export const PREC: Readonly<Record<Op, number>> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** Python's value of `a op b` (float division, exact ints while safe); null once unknown. */
export function pyOp(op: Op, a: PyNum | null, b: PyNum | null): PyNum | null {
  if (a === null || b === null) return null;
  if (op === '/') {
    if (b.v === 0) return null;
    return { int: false, v: a.v / b.v };
  }
  const v = op === '+' ? a.v + b.v : op === '-' ? a.v - b.v : a.v * b.v;
  if (a.int && b.int) return Number.isSafeInteger(v) ? { int: true, v } : null;
  return { int: false, v };
}

/**
 * Prints `a op b` with the fewest parentheses that keep Python's value: a right operand of equal precedence is
 * parenthesized, except after + or * when both sides are Python ints (int + and * are exact, so regrouping
 * `a+(b-c)` as `a+b-c` cannot change the value).
 */
export function exprOf(op: Op, a: Term<unknown>, b: Term<unknown>): string {
  const p = PREC[op];
  const l = a.prec < p ? `(${a.expr})` : a.expr;
  const exactRegroup = (op === '+' || op === '*') && a.py?.int === true && b.py?.int === true;
  const r = b.prec < p || (b.prec === p && !exactRegroup) ? `(${b.expr})` : b.expr;
  return `${l}${op}${r}`;
}

function search<T>(values: readonly number[], target: number, arith: RationalArith<T>): GpSolution | null {
  const start: Term<T>[] = values.map((v) => ({
    r: arith.fromInt(v),
    text: String(v),
    expr: String(v),
    prec: v < 0 ? 0 : 3,
    py: { int: true, v },
  }));
  const dead = new Set<string>();
  const steps: SolveStep[] = [];
  let fallback: GpSolution | null = null;

  const stateKey = (terms: readonly Term<T>[]): string =>
    terms
      .map((t) => `${t.text}~${t.py === null ? 'x' : `${t.py.int ? 'i' : 'f'}${t.py.v}`}`)
      .sort()
      .join(',');

  const rec = (terms: readonly Term<T>[]): GpSolution | null => {
    if (terms.length === 1) {
      const only = terms[0] as Term<T>;
      if (!arith.equalsInt(only.r, target)) return null;
      const floatExact = only.py !== null && only.py.v === target;
      const solution = { formula: only.expr, steps: [...steps], floatExact };
      if (floatExact) return solution;
      fallback ??= solution;
      return null;
    }
    const key = stateKey(terms);
    if (dead.has(key)) return null;
    for (let i = 0; i < terms.length; i++) {
      for (let j = i + 1; j < terms.length; j++) {
        const a = terms[i] as Term<T>;
        const b = terms[j] as Term<T>;
        const rest = terms.filter((_, k) => k !== i && k !== j);
        const candidates: [Op, Term<T>, Term<T>][] = [
          ['+', a, b],
          ['*', a, b],
          ['-', a, b],
          ['-', b, a],
          ['/', a, b],
          ['/', b, a],
        ];
        for (const [op, x, y] of candidates) {
          const fn = op === '+' ? arith.add : op === '-' ? arith.sub : op === '*' ? arith.mul : arith.div;
          const r = fn(x.r, y.r);
          if (r === null) continue;
          const text = arith.text(r);
          const term: Term<T> = { r, text, expr: exprOf(op, x, y), prec: PREC[op], py: pyOp(op, x.py, y.py) };
          const next = [...rest, term];
          steps.push({ left: x.text, op, right: y.text, result: text, remaining: next.map((t) => t.text) });
          const found = rec(next);
          steps.pop();
          if (found !== null) return found;
        }
      }
    }
    dead.add(key);
    return null;
  };
  return rec(start) ?? fallback;
}

const memo = new Map<string, GpSolution | null>();
const MEMO_LIMIT = 200_000;

/**
 * Solves a General Points deal exactly: a formula using every value once that equals `target`, preferring one that
 * also equals it under Python float evaluation; null when none exists. Values must be safe integers.
 */
export function solveGpDetailed(values: readonly number[], target: number): GpSolution | null {
  if (values.length === 0) throw new RangeError('solveGp: no values');
  for (const v of [...values, target]) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`solveGp: ${v} is not an integer`);
  }
  const sorted = [...values].sort((a, b) => b - a);
  const key = `${target}|${sorted.join(',')}`;
  const cached = memo.get(key);
  if (cached !== undefined) return cached;
  const fast = numberArith();
  let result = search(sorted, target, fast);
  // The double-based search skipped branches that overflowed: redo them exactly.
  if ((result === null || !result.floatExact) && fast.overflowed) result = search(sorted, target, bigArith());
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, result);
  return result;
}

/** A formula using each value once that evaluates exactly to `target` (float-exact when possible), or null. */
export function solveGp(values: readonly number[], target = 24): string | null {
  return solveGpDetailed(values, target)?.formula ?? null;
}
