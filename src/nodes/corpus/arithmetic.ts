/**
 * Arithmetic documents of the generic corpus: an expression over whole numbers 1–99 with 2–6 operands (+ − × ÷,
 * sometimes one parenthesized group), evaluated one operation a line in the usual order (parentheses first, then
 * × ÷ left to right, then + − left to right), each line the fact and the expression left:
 *
 *   calc 12+7*(30-5)
 *   30-5=25 : 12+7*25
 *   7*25=175 : 12+175
 *   12+175=187
 *   so 187
 *
 * Divisions are exact (the dividend is a multiple of the divisor), so every value stays a whole number.
 */
import type { Rng } from '../../util/rng.js';

/** A token of an expression: a number, an operator or a parenthesis. */
export type Token = number | '+' | '-' | '*' | '/' | '(' | ')';

/** Prints tokens without spaces (negative numbers as they are: `3+-4` never occurs, results stay in place). */
export function formatTokens(tokens: readonly Token[]): string {
  return tokens.map(String).join('');
}

/** A random expression: `operands` numbers in 1..99, exact divisions, at most one parenthesized group. */
export function randomExpression(rng: Rng, operands: number): Token[] {
  const nums: number[] = [];
  const ops: ('+' | '-' | '*' | '/')[] = [];
  for (let i = 0; i < operands; i++) {
    if (i > 0) ops.push(rng.choice(['+', '-', '*', '/', '+', '-', '*'] as const));
    nums.push(rng.range(1, 99));
  }
  // Exact divisions: a divisor follows a plain number (not a product chain) and divides it.
  for (let i = 0; i < ops.length; i++) {
    if (ops[i] !== '/') continue;
    if (i > 0 && (ops[i - 1] === '*' || ops[i - 1] === '/')) {
      ops[i] = '+';
      continue;
    }
    const left = nums[i] as number;
    const divisors = Array.from({ length: left }, (_, k) => k + 1).filter((d) => left % d === 0 && d > 1);
    nums[i + 1] = divisors.length === 0 ? 1 : rng.choice(divisors);
  }
  const tokens: Token[] = [];
  const group = operands >= 3 && rng.next() < 0.35 ? rng.int(operands - 1) : -1;
  const groupEnd = group < 0 ? -1 : group + 1 + rng.int(Math.min(2, operands - group - 1));
  nums.forEach((n, i) => {
    if (i > 0) tokens.push(ops[i - 1] as Token);
    if (i === group) tokens.push('(');
    tokens.push(n);
    if (i === groupEnd) tokens.push(')');
  });
  // A group right after a division could make the divisor non-exact: evaluate it as written only when exact.
  return evaluationSteps(tokens) === null ? tokens.filter((t) => t !== '(' && t !== ')') : tokens;
}

/** One evaluation step: the fact `a op b = r` and the tokens after it. */
export interface EvalStep {
  readonly fact: string;
  readonly rest: readonly Token[];
}

function applyOp(op: Token, a: number, b: number): number | null {
  if (op === '+') return a + b;
  if (op === '-') return a - b;
  if (op === '*') return a * b;
  return b !== 0 && a % b === 0 ? a / b : null;
}

/** The expression's steps, one operation each; null when a division is not exact. */
export function evaluationSteps(expr: readonly Token[]): EvalStep[] | null {
  let tokens = [...expr];
  const steps: EvalStep[] = [];
  while (tokens.length > 1) {
    // The innermost group (or the whole expression).
    let lo = 0;
    let hi = tokens.length;
    const close = tokens.indexOf(')');
    if (close >= 0) {
      hi = close;
      lo = tokens.lastIndexOf('(', close) + 1;
    }
    const inner = tokens.slice(lo, hi);
    if (inner.length === 1) {
      tokens = [...tokens.slice(0, lo - 1), inner[0] as Token, ...tokens.slice(hi + 1)];
      continue;
    }
    let at = inner.findIndex((t) => t === '*' || t === '/');
    if (at < 0) at = inner.findIndex((t, i) => i > 0 && (t === '+' || t === '-'));
    const a = inner[at - 1] as number;
    const b = inner[at + 1] as number;
    const r = applyOp(inner[at] as Token, a, b);
    if (r === null) return null;
    tokens = [...tokens.slice(0, lo + at - 1), r, ...tokens.slice(lo + at + 2)];
    // Drop parentheses around a single number at once, so the printed rest never shows `(25)`.
    tokens = tokens.filter((t, i) => !(t === '(' && tokens[i + 2] === ')') && !(t === ')' && tokens[i - 2] === '('));
    steps.push({ fact: `${a}${inner[at] as string}${b}=${r}`, rest: tokens });
  }
  return steps;
}

/** The value of an expression (the last step's result). */
export function evaluate(expr: readonly Token[]): number | null {
  const steps = evaluationSteps(expr);
  if (steps === null) return null;
  const last = steps[steps.length - 1];
  return last === undefined ? (expr[0] as number) : (last.rest[0] as number);
}

/** The lines of a step-by-step evaluation: `fact : rest` for each step but the last, then `fact`, then `so <value>`. */
export function evaluationLines(expr: readonly Token[]): string[] {
  const steps = evaluationSteps(expr);
  if (steps === null) throw new Error(`Internal error: inexact division in ${formatTokens(expr)}`);
  const lines = steps.map((s, i) => (i === steps.length - 1 ? s.fact : `${s.fact} : ${formatTokens(s.rest)}`));
  lines.push(`so ${String(evaluate(expr))}`);
  return lines;
}

/** An arithmetic document: `calc <expr>` and its evaluation. */
export function arithmeticDoc(rng: Rng): { prompt: string; response: string } {
  const expr = randomExpression(rng, rng.range(2, 6));
  return { prompt: `calc ${formatTokens(expr)}`, response: evaluationLines(expr).join('\n') };
}
