/**
 * The formula language of the General Points reward, with the semantics of the reference scorer
 * (debunk_sft/utils/reward_score/gp_l.py): a regex tokenizer, the reference's token-sequence check, and an
 * evaluator that reproduces what Python's `eval` returns for such a string. Never uses JS eval.
 *
 * Python facts reproduced here:
 * - `\d` matches any Unicode decimal digit (`re` on str), and `int()` accepts them, but Python's own tokenizer
 *   rejects non-ASCII digits in literals (SyntaxError); so does a leading zero in a non-zero literal (`08`).
 * - `+ - *` on ints are exact (arbitrary precision, BigInt here); `/` is true division giving a correctly rounded
 *   float; an int meeting a float is converted (OverflowError above ~1.8e308); floats follow IEEE doubles.
 * - Division by zero raises ZeroDivisionError.
 * - More than 200 nested parentheses is a SyntaxError (CPython's tokenizer limit), so deep nesting never
 *   overflows the stack here.
 */

/** One token of a formula: a run of decimal digits, or one of `+ - * / ( )`. */
export type Token = string;

const TOKEN_RE = /\p{Nd}+|[+\-*/()]/gu;

/** `re.findall(r'\d+|[+\-*\/()]', s)` with Python's Unicode `\d`. */
export function tokenize(formula: string): Token[] {
  return formula.match(TOKEN_RE) ?? [];
}

/** Whether a token is a number (starts with a decimal digit). */
export function isNumberToken(token: Token): boolean {
  return /^\p{Nd}/u.test(token);
}

/** Value of one Unicode decimal digit (Nd digits come in aligned runs of ten, 0..9). */
function digitValue(ch: string): number {
  let cp = ch.codePointAt(0) as number;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** `int(token)` for a number token, as Python does (any Unicode decimal digits). */
export function tokenInt(token: Token): bigint {
  if (/^[0-9]+$/.test(token)) return BigInt(token);
  let ascii = '';
  for (const ch of token) ascii += String(digitValue(ch));
  return BigInt(ascii);
}

/**
 * The reference's sequence check: numbers follow nothing, an operator or `(`; operators follow a number or `)`;
 * `(` follows nothing, an operator or `(`; `)` follows a number or `)` and must close an open `(`.
 * Like the reference it does NOT require the formula to end well (`1+` or `(1+2` pass here and fail at eval).
 * Returns null when the sequence is legal, else why not.
 */
export function checkTokenSequence(tokens: readonly Token[]): string | null {
  type Kind = 'number' | 'operator' | 'open' | 'close';
  let prev: Kind | null = null;
  let depth = 0;
  for (const [i, token] of tokens.entries()) {
    const kind: Kind = isNumberToken(token) ? 'number' : token === '(' ? 'open' : token === ')' ? 'close' : 'operator';
    const afterValue = prev === 'number' || prev === 'close';
    if ((kind === 'number' || kind === 'open') && afterValue) return `'${token}' at token ${i + 1} follows a value`;
    if ((kind === 'operator' || kind === 'close') && !afterValue) return `'${token}' at token ${i + 1} follows no value`;
    if (kind === 'open') depth++;
    if (kind === 'close' && depth-- === 0) return `unmatched ')' at token ${i + 1}`;
    prev = kind;
  }
  return null;
}

/** A Python number: an exact int or an IEEE double. */
export type PyValue = { readonly type: 'int'; readonly value: bigint } | { readonly type: 'float'; readonly value: number };

/** What Python's `eval` did with a formula: a value, or the exception it raised. */
export type PyEvalResult =
  | { readonly ok: true; readonly value: PyValue }
  | { readonly ok: false; readonly error: 'SyntaxError' | 'ZeroDivisionError' | 'OverflowError'; readonly message: string };

const MAX_PAREN_DEPTH = 200;

class PyError extends Error {
  constructor(
    readonly kind: 'SyntaxError' | 'ZeroDivisionError' | 'OverflowError',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Evaluates a formula made of tokens as Python's `eval` would (precedence `* /` over `+ -`, left-associative,
 * parentheses), without unary operators (the token check never lets one through). The input is the concatenated
 * token string; any other character is a SyntaxError.
 */
export function pyEval(formula: string): PyEvalResult {
  const tokens = tokenize(formula);
  if (tokens.join('') !== formula) return { ok: false, error: 'SyntaxError', message: 'invalid character' };
  let pos = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[pos];
  const expr = (): PyValue => {
    let left = term();
    for (let t = peek(); t === '+' || t === '-'; t = peek()) {
      pos++;
      left = binary(t, left, term());
    }
    return left;
  };
  const term = (): PyValue => {
    let left = atom();
    for (let t = peek(); t === '*' || t === '/'; t = peek()) {
      pos++;
      left = binary(t, left, atom());
    }
    return left;
  };
  const atom = (): PyValue => {
    const t = tokens[pos++];
    if (t === undefined) throw new PyError('SyntaxError', 'unexpected end of formula');
    if (t === '(') {
      // CPython's tokenizer allows 200 nested parentheses (MAXLEVEL); the 201st is a SyntaxError.
      if (++depth > MAX_PAREN_DEPTH) throw new PyError('SyntaxError', 'too many nested parentheses');
      const inner = expr();
      depth--;
      if (tokens[pos++] !== ')') throw new PyError('SyntaxError', "'(' was never closed");
      return inner;
    }
    if (!isNumberToken(t)) throw new PyError('SyntaxError', `unexpected '${t}'`);
    if (!/^[0-9]+$/.test(t)) throw new PyError('SyntaxError', `invalid non-ASCII digit in '${t}'`);
    if (/^0+[1-9]/.test(t)) throw new PyError('SyntaxError', `leading zeros in decimal integer literal '${t}'`);
    return { type: 'int', value: BigInt(t) };
  };
  try {
    const value = expr();
    if (pos !== tokens.length) throw new PyError('SyntaxError', `unexpected '${tokens[pos]}'`);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof PyError) return { ok: false, error: e.kind, message: e.message };
    throw e;
  }
}

/** `float(int)` with Python's OverflowError. */
function toFloat(v: PyValue): number {
  if (v.type === 'float') return v.value;
  const f = Number(v.value); // rounds to nearest, ties to even, like int.__float__
  if (!Number.isFinite(f)) throw new PyError('OverflowError', 'int too large to convert to float');
  return f;
}

function binary(op: Token, a: PyValue, b: PyValue): PyValue {
  if (a.type === 'int' && b.type === 'int') {
    if (op === '+') return { type: 'int', value: a.value + b.value };
    if (op === '-') return { type: 'int', value: a.value - b.value };
    if (op === '*') return { type: 'int', value: a.value * b.value };
    if (b.value === 0n) throw new PyError('ZeroDivisionError', 'division by zero');
    return { type: 'float', value: intTrueDivide(a.value, b.value) };
  }
  const x = toFloat(a);
  const y = toFloat(b);
  if (op === '+') return { type: 'float', value: x + y };
  if (op === '-') return { type: 'float', value: x - y };
  if (op === '*') return { type: 'float', value: x * y };
  if (y === 0) throw new PyError('ZeroDivisionError', 'float division by zero');
  return { type: 'float', value: x / y };
}

const EXACT = 2n ** 53n;

/**
 * Correctly rounded a/b for ints, as CPython's long true division. Operands that are exact doubles divide
 * directly (IEEE division is correctly rounded); larger ones keep 64+ quotient bits plus a sticky bit, so the
 * final BigInt→Number conversion rounds once. (Results in the subnormal range may differ in the last bit.)
 */
export function intTrueDivide(a: bigint, b: bigint): number {
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  if (abs(a) <= EXACT && abs(b) <= EXACT) return Number(a) / Number(b);
  const negative = a < 0n !== b < 0n;
  const n = abs(a);
  const d = abs(b);
  if (n === 0n) return negative ? -0 : 0;
  const shift = 66 - (n.toString(2).length - d.toString(2).length);
  const num = shift >= 0 ? n << BigInt(shift) : n;
  const den = shift >= 0 ? d : d << BigInt(-shift);
  let q = num / den;
  if (num % den !== 0n) q |= 1n;
  let f = Number(q);
  // Scale by 2^-shift in steps that stay exact (powers of two in normal range).
  let s = shift;
  while (s > 0) {
    const step = Math.min(s, 1000);
    f /= 2 ** step;
    s -= step;
  }
  while (s < 0) {
    const step = Math.min(-s, 1000);
    f *= 2 ** step;
    s += step;
  }
  if (!Number.isFinite(f)) throw new PyError('OverflowError', 'integer division result too large for a float');
  return negative ? -f : f;
}

/** Python's `value == target` for an int target. */
export function pyEqualsInt(value: PyValue, target: number): boolean {
  return value.type === 'int' ? value.value === BigInt(target) : value.value === target;
}
