/**
 * Test-side exact arithmetic, independent of src/nodes/gp: BigInt fractions, a formula evaluator, and a brute-force
 * 24 check over every permutation × every bracketing (all binary trees) × every operator choice.
 */
export interface Frac {
  readonly n: bigint;
  readonly d: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};

export function frac(n: bigint, d = 1n): Frac {
  if (d === 0n) throw new Error('zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

export function apply(op: string, a: Frac, b: Frac): Frac | null {
  switch (op) {
    case '+':
      return frac(a.n * b.d + b.n * a.d, a.d * b.d);
    case '-':
      return frac(a.n * b.d - b.n * a.d, a.d * b.d);
    case '*':
      return frac(a.n * b.n, a.d * b.d);
    case '/':
      return b.n === 0n ? null : frac(a.n * b.d, a.d * b.n);
  }
  throw new Error(op);
}

/** Evaluates `+ - * / ( )` over unsigned ints exactly; returns the value and the numbers used. */
export function evalExact(formula: string): { value: Frac; numbers: number[] } {
  let i = 0;
  const numbers: number[] = [];
  const expr = (): Frac => {
    let v = term();
    while (formula[i] === '+' || formula[i] === '-') {
      const op = formula[i++] as string;
      const r = apply(op, v, term());
      if (!r) throw new Error('division by zero');
      v = r;
    }
    return v;
  };
  const term = (): Frac => {
    let v = atom();
    while (formula[i] === '*' || formula[i] === '/') {
      const op = formula[i++] as string;
      const r = apply(op, v, atom());
      if (!r) throw new Error('division by zero');
      v = r;
    }
    return v;
  };
  const atom = (): Frac => {
    if (formula[i] === '(') {
      i++;
      const v = expr();
      if (formula[i++] !== ')') throw new Error(`expected ) in ${formula}`);
      return v;
    }
    const m = /^[0-9]+/.exec(formula.slice(i));
    if (!m) throw new Error(`expected a number at ${i} in ${formula}`);
    i += m[0].length;
    numbers.push(Number(m[0]));
    return frac(BigInt(m[0]));
  };
  const value = expr();
  if (i !== formula.length) throw new Error(`trailing text in ${formula}`);
  return { value, numbers };
}

function permutations(values: readonly number[]): number[][] {
  if (values.length <= 1) return [[...values]];
  const out: number[][] = [];
  const seen = new Set<number>();
  values.forEach((v, i) => {
    if (seen.has(v)) return;
    seen.add(v);
    for (const rest of permutations(values.filter((_, j) => j !== i))) out.push([v, ...rest]);
  });
  return out;
}

/** Every value any bracketing and operator choice gives over this exact sequence (interval enumeration). */
function sequenceValues(seq: readonly Frac[]): Frac[] {
  if (seq.length === 1) return [seq[0] as Frac];
  const out: Frac[] = [];
  for (let k = 1; k < seq.length; k++) {
    const left = sequenceValues(seq.slice(0, k));
    const right = sequenceValues(seq.slice(k));
    for (const a of left) for (const b of right) for (const op of '+-*/') {
      const r = apply(op, a, b);
      if (r) out.push(r);
    }
  }
  return out;
}

/** Brute force: does some permutation × bracketing × operators reach target exactly? */
export function bruteSolvable(values: readonly number[], target: number): boolean {
  const t = BigInt(target);
  return permutations(values).some((p) =>
    sequenceValues(p.map((v) => frac(BigInt(v)))).some((f) => f.d === 1n && f.n === t),
  );
}

export function sortedKey(xs: readonly number[]): string {
  return [...xs].sort((a, b) => a - b).join(',');
}
