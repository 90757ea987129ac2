/**
 * Algorithmic chain of thought for General Points: the pairwise search itself, with its dead ends and backtracking,
 * written one arithmetic fact a line, so that five cards are just more lines of the same kind.
 *
 * The search is a complete depth-first search over "pick two numbers, combine them": at each state the candidate
 * steps are ordered by a rule a reader can follow (positive whole results first, then the one nearest the target),
 * and a state of two numbers is checked against the target in one line. Lines:
 *
 *   values: 1 5 10 10        the numbers under the prompt's mapping
 *   10+10=20 (1 5 20)        one step: two numbers combined, the numbers left after it
 *   1 25: no                 the current state cannot reach the target: go back to the state before it
 *   20+4=24                  the last two numbers give the target
 *   formula: 10+10+(5-1)     the answer (compact format), or the paper's JSON
 *
 * A failed state shows its first `keep` attempts before its `no`, and a state on the way to the answer its first `keep`
 * failed attempts before the one that works (later attempts are left out to bound the length),
 * so every `no` states a fact that `replayGpSearch` re-checks exhaustively. Deals whose only solutions lose exactness
 * under Python's float division get no trace (null): the trace would have to call a reachable state a dead end.
 */
import { numberArith, type NumRational } from './rational.js';
import { exprOf, PREC, pyOp, type Op, type Term } from './solver.js';

type T = Term<NumRational>;

const arith = numberArith();

/** The trace lines of a search that reached the target, and the formula it found. */
export interface GpSearchTrace {
  readonly lines: readonly string[];
  readonly formula: string;
}

/** Options of the search trace. */
export interface GpSearchOptions {
  /** Failed attempts shown per state (the first ones tried); default 2. */
  readonly keep?: number;
}

/** A number as an operand in a line: fractions and negatives parenthesized (`8/(1/3)=24`). */
function operand(text: string): string {
  return text.includes('/') || text.startsWith('-') ? `(${text})` : text;
}

function apply(op: Op, x: T, y: T): T | null {
  const fn = op === '+' ? arith.add : op === '-' ? arith.sub : op === '*' ? arith.mul : arith.div;
  const r = fn(x.r, y.r);
  if (r === null) return null;
  return { r, text: arith.text(r), expr: exprOf(op, x, y), prec: PREC[op], py: pyOp(op, x.py, y.py) };
}

/** Every step from `terms` (pair i<j, six ordered operations), in the search's order. */
function candidates(terms: readonly T[], target: number): { line: string; next: T[]; term: T }[] {
  const out: { line: string; next: T[]; term: T; rank: [number, number, number] }[] = [];
  for (let i = 0; i < terms.length; i++) {
    for (let j = i + 1; j < terms.length; j++) {
      const a = terms[i] as T;
      const b = terms[j] as T;
      const rest = terms.filter((_, k) => k !== i && k !== j);
      const pairs: [Op, T, T][] = [['+', a, b], ['*', a, b], ['-', a, b], ['-', b, a], ['/', a, b], ['/', b, a]];
      for (const [op, x, y] of pairs) {
        const term = apply(op, x, y);
        if (term === null) continue;
        const value = term.r.n / term.r.d;
        const whole = term.r.d === 1 && term.r.n > 0 ? 0 : 1;
        const next = [...rest, term];
        const line = `${operand(x.text)}${op}${operand(y.text)}=${term.text} (${next.map((t) => t.text).join(' ')})`;
        out.push({ line, next, term, rank: [whole, Math.abs(value - target), out.length] });
      }
    }
  }
  out.sort((p, q) => p.rank[0] - q.rank[0] || p.rank[1] - q.rank[1] || p.rank[2] - q.rank[2]);
  return out;
}

/** The two-number check: the hit line and its term, 'none', or 'inexact' (reachable only through float rounding). */
function finish(terms: readonly T[], target: number): { line: string; term: T } | 'none' | 'inexact' {
  const [a, b] = terms as [T, T];
  let inexact = false;
  for (const [op, x, y] of [['+', a, b], ['*', a, b], ['-', a, b], ['-', b, a], ['/', a, b], ['/', b, a]] as [Op, T, T][]) {
    const term = apply(op, x, y);
    if (term === null || !arith.equalsInt(term.r, target)) continue;
    if (term.py === null || term.py.v !== target) {
      inexact = true;
      continue;
    }
    return { line: `${operand(x.text)}${op}${operand(y.text)}=${target}`, term };
  }
  return inexact ? 'inexact' : 'none';
}

class Inexact extends Error {}

type Outcome = { readonly ok: true; readonly lines: string[]; readonly term: T } | { readonly ok: false; readonly lines: string[] };

/**
 * The search trace for `values` reaching `target`, or null when there is no solution (or only one that Python's
 * float evaluation misses).
 */
export function gpSearchTrace(values: readonly number[], target: number, options: GpSearchOptions = {}): GpSearchTrace | null {
  const keep = options.keep ?? 2;
  const deadLines = new Map<string, string[]>();
  const explore = (terms: readonly T[]): Outcome => {
    const noLine = `${terms.map((t) => t.text).join(' ')}: no`;
    if (terms.length === 1) {
      const only = terms[0] as T;
      const hit = arith.equalsInt(only.r, target);
      if (hit && only.py?.v === target) return { ok: true, lines: [], term: only };
      if (hit) throw new Inexact();
      return { ok: false, lines: [noLine] };
    }
    if (terms.length === 2) {
      const done = finish(terms, target);
      if (done === 'inexact') throw new Inexact();
      return done === 'none' ? { ok: false, lines: [noLine] } : { ok: true, lines: [done.line], term: done.term };
    }
    const key = terms.map((t) => t.text).sort().join(',');
    const known = deadLines.get(key);
    if (known !== undefined) return { ok: false, lines: known };
    const failed: string[][] = [];
    const tried = new Set<string>();
    for (const c of candidates(terms, target)) {
      const nextKey = c.next.map((t) => t.text).sort().join(',');
      if (tried.has(nextKey)) continue; // the same numbers again (a repeated card): nothing new to try
      tried.add(nextKey);
      const out = explore(c.next);
      if (out.ok) return { ok: true, lines: [...failed.slice(0, keep).flat(), c.line, ...out.lines], term: out.term };
      failed.push([c.line, ...out.lines]);
    }
    const lines = [...failed.slice(0, keep).flat(), noLine];
    deadLines.set(key, lines);
    return { ok: false, lines };
  };
  const start: T[] = values.map((v) => ({ r: arith.fromInt(v), text: String(v), expr: String(v), prec: v < 0 ? 0 : 3, py: { int: true, v } }));
  try {
    const out = explore(start);
    if (!out.ok) return null;
    return { lines: [`values: ${values.join(' ')}`, ...out.lines], formula: out.term.expr };
  } catch (e) {
    if (e instanceof Inexact) return null;
    throw e;
  }
}

/** Whether some sequence of pairwise steps turns `nums` into exactly `target` (rationals; exhaustive). */
function reachable(nums: readonly NumRational[], target: number, memo: Map<string, boolean>): boolean {
  if (nums.length === 1) return arith.equalsInt(nums[0] as NumRational, target);
  const key = nums.map((x) => arith.text(x)).sort().join(',');
  const known = memo.get(key);
  if (known !== undefined) return known;
  let found = false;
  for (let i = 0; i < nums.length && !found; i++) {
    for (let j = i + 1; j < nums.length && !found; j++) {
      const a = nums[i] as NumRational;
      const b = nums[j] as NumRational;
      const rest = nums.filter((_, k) => k !== i && k !== j);
      for (const r of [arith.add(a, b), arith.mul(a, b), arith.sub(a, b), arith.sub(b, a), arith.div(a, b), arith.div(b, a)]) {
        if (r !== null && reachable([...rest, r], target, memo)) {
          found = true;
          break;
        }
      }
    }
  }
  memo.set(key, found);
  return found;
}

const NUMBER = String.raw`-?\d+(?:/\d+)?`;
const OPERAND = String.raw`\((${NUMBER})\)|(\d+)`;
const STEP_RE = new RegExp(String.raw`^(?:${OPERAND})([-+*/])(?:${OPERAND})=(${NUMBER})(?: \(([^)]*)\))?$`);
const NO_RE = new RegExp(String.raw`^((?:${NUMBER})(?: ${NUMBER})*): no$`);

function parseNumber(text: string): NumRational {
  const [n, d] = text.split('/');
  const r = arith.div(arith.fromInt(Number(n)), arith.fromInt(d === undefined ? 1 : Number(d)));
  if (r === null) throw new Error(`bad number ${text}`);
  return r;
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
}

/**
 * Replays a search trace (the lines from `values:` up to the answer) against the deal: every step uses two numbers
 * of the current state and states its result and the numbers left correctly, every `no` is true (checked
 * exhaustively) and goes back one state, and the trace ends in a line that reaches `target`. Returns the problem,
 * or null when the trace is a correct search.
 */
export function replayGpSearch(text: string, values: readonly number[], target: number): string | null {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('values: '));
  if (first < 0) return 'no values line';
  const stated = (lines[first] as string).slice('values: '.length).split(' ');
  if (!sameMultiset(stated, values.map(String))) return `values line ${stated.join(' ')} is not the deal`;
  const stack: string[][] = [stated];
  const memo = new Map<string, boolean>();
  for (let n = first + 1; n < lines.length; n++) {
    const line = lines[n] as string;
    const state = stack[stack.length - 1];
    if (state === undefined) return `line ${n + 1}: the search went back past the start`;
    const no = NO_RE.exec(line);
    if (no !== null) {
      const nums = (no[1] as string).split(' ');
      if (!sameMultiset(nums, state)) return `line ${n + 1}: "${line}" is not the current state (${state.join(' ')})`;
      if (reachable(nums.map(parseNumber), target, memo)) return `line ${n + 1}: ${nums.join(' ')} can reach ${target}`;
      stack.pop();
      continue;
    }
    const step = STEP_RE.exec(line);
    if (step === null) return `line ${n + 1}: "${line}" is neither a step nor a dead end`;
    const left = (step[1] ?? step[2]) as string;
    const op = step[3] as Op;
    const right = (step[4] ?? step[5]) as string;
    const result = step[6] as string;
    const rest = [...state];
    for (const used of [left, right]) {
      const at = rest.findIndex((x) => arith.text(parseNumber(x)) === arith.text(parseNumber(used)));
      if (at < 0) return `line ${n + 1}: ${used} is not among ${state.join(' ')}`;
      rest.splice(at, 1);
    }
    const fn = op === '+' ? arith.add : op === '-' ? arith.sub : op === '*' ? arith.mul : arith.div;
    const value = fn(parseNumber(left), parseNumber(right));
    if (value === null || arith.text(value) !== arith.text(parseNumber(result))) return `line ${n + 1}: ${left}${op}${right} is not ${result}`;
    if (step[7] === undefined) {
      if (rest.length !== 0) return `line ${n + 1}: numbers are left (${rest.join(' ')}) after the final step`;
      return arith.equalsInt(value, target) ? null : `line ${n + 1}: the search ends at ${result}, not ${target}`;
    }
    const left_ = step[7].split(' ');
    if (!sameMultiset(left_, [...rest, arith.text(value)])) return `line ${n + 1}: the numbers left are ${[...rest, arith.text(value)].join(' ')}`;
    stack.push(left_);
  }
  return 'the trace never reaches the target';
}
