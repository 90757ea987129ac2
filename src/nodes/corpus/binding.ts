/**
 * Symbol binding documents of the generic corpus: names made of random bytes are bound to numbers (`let ⟨name⟩
 * mean ⟨value⟩`), then an expression over the names is read through the bindings and evaluated step by step:
 *
 *   let q] mean 14
 *   let ~k mean 9
 *   q]*~k-3
 *   q]=14 ~k=9 : 14*9-3
 *   14*9=126 : 126-3
 *   126-3=123
 *   so 123
 *
 * Names never contain a word that an evaluation prompt binds (see `isAllowedName`), so the corpus teaches the skill
 * of reading a stated binding, not any binding of the tests.
 */
import type { Rng } from '../../util/rng.js';
import { evaluationLines, formatTokens, randomExpression, type Token } from './arithmetic.js';

/** Bytes names are drawn from: printable ASCII without digits, space, the expression syntax and the grid symbols. */
export const NAME_BYTES = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"#$&\'<>?[\\]^_`{|}~';

/** A random name of 1–3 bytes that `allowed` accepts. */
export function randomName(rng: Rng, allowed: (name: string) => boolean, taken: ReadonlySet<string> = new Set()): string {
  for (;;) {
    const len = rng.range(1, 3);
    let name = '';
    for (let i = 0; i < len; i++) name += NAME_BYTES[rng.int(NAME_BYTES.length)] as string;
    if (allowed(name) && !taken.has(name.toLowerCase())) return name;
  }
}

/** A binding document over 2–5 bound names. */
export function bindingDoc(rng: Rng, allowed: (name: string) => boolean): { prompt: string; response: string } {
  const expr = randomExpression(rng, rng.range(2, 5));
  const taken = new Set<string>();
  const names = new Map<number, string>(); // operand index → name
  let operand = 0;
  const named: string[] = [];
  for (const t of expr) {
    if (typeof t !== 'number') continue;
    if (rng.next() < 0.8 || operand === 0) {
      const name = randomName(rng, allowed, taken);
      taken.add(name.toLowerCase());
      names.set(operand, name);
    }
    operand++;
  }
  const lets: string[] = [];
  operand = 0;
  const shown: string[] = [];
  for (const t of expr) {
    if (typeof t !== 'number') {
      shown.push(t);
      continue;
    }
    const name = names.get(operand++);
    if (name === undefined) shown.push(String(t));
    else {
      shown.push(name);
      lets.push(`let ${name} mean ${t}`);
      named.push(`${name}=${t}`);
    }
  }
  // Bindings are stated in a random order, so position is no cue.
  rng.shuffle(lets);
  const lines = evaluationLines(expr as readonly Token[]);
  const read = `${named.join(' ')} : ${formatTokens(expr)}`;
  return { prompt: [...lets, shown.join('')].join('\n'), response: [read, ...lines].join('\n') };
}
