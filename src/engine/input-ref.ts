/**
 * The input reference grammar: `node.output` (follow the node's matrix axes), `node[*].output` (gather every
 * instance) and `node[axis=value,…].output` (select the instances with those axis values; the axes not named are
 * followed as usual). Values are compared as instance ids print them (`lr=0.003`, `seed=1`). Pure.
 */
import type { RawRef } from './checked-node.js';

const REF = /^([A-Za-z_][A-Za-z0-9_-]*)(?:\[([^\]]*)\])?\.(.+)$/;
const AXIS = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses a reference as written in `inputs:`; a string says why it is not one (it follows "input 'x' "). */
export function parseInputRef(text: string): RawRef | string {
  const m = REF.exec(text);
  if (m === null) return `must reference '<node>.<output>', '<node>[*].<output>' or '<node>[<axis>=<value>,…].<output>', got '${text}'`;
  const [, node, selector, output] = m as unknown as [string, string, string | undefined, string];
  if (selector === undefined) return { node, output, gather: false };
  if (selector.trim() === '*') return { node, output, gather: true };
  const select: Record<string, string> = {};
  for (const part of selector.split(',')) {
    const eq = part.indexOf('=');
    const axis = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq === -1 || !AXIS.test(axis) || value === '') return `has a bad instance selector '[${selector}]': expected [*] or [<axis>=<value>,…]`;
    if (Object.hasOwn(select, axis)) return `selects axis '${axis}' twice`;
    select[axis] = value;
  }
  return { node, output, gather: false, select };
}

/** How a reference is written (`eval[lr=0.003].summary`), for messages. */
export function rawRefText(ref: RawRef): string {
  const sel = ref.gather ? '[*]' : ref.select !== undefined ? `[${Object.entries(ref.select).map(([a, v]) => `${a}=${v}`).join(',')}]` : '';
  return `${ref.node}${sel}.${ref.output}`;
}
