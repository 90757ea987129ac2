/** Dotted param paths (`optim.lr`, `files.*`): reading, writing and expanding `*` over object keys / array items. */

export type ParamPath = readonly (string | number)[];

/** Splits `a.b.c` into segments (numeric segments index arrays). */
export function splitPath(dotted: string): string[] {
  return dotted.split('.');
}

/** Path segments that would reach an object's prototype instead of a param. */
export const UNSAFE_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** A param path that cannot be written (an array index out of range, `length`, a prototype segment). */
export class ParamPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamPathError';
  }
}

/** Largest array a path may grow (one item past the end at a time, so this only bounds pathological input). */
const MAX_INDEX = 1_000_000;

/** The array index a segment names, or an error: an integer from 0 to the array's length (appending one item). */
function arrayIndex(arr: readonly unknown[], seg: string, at: readonly string[]): number {
  const n = /^(0|[1-9]\d{0,6})$/.test(seg) ? Number(seg) : Number.NaN;
  if (!Number.isInteger(n) || n > arr.length || n > MAX_INDEX) {
    throw new ParamPathError(`'${at.join('.')}' indexes a list of ${arr.length} item${arr.length === 1 ? '' : 's'}: use an index from 0 to ${arr.length}`);
  }
  return n;
}

/**
 * Sets `value` at `path` inside `obj`, creating plain objects on the way. Refuses prototype-reaching segments, and in
 * lists anything but an index up to the list's length (so `argv.length=100000000` cannot allocate a huge array).
 * Throws `ParamPathError`.
 */
export function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  if (path.some((seg) => UNSAFE_SEGMENTS.has(seg))) throw new ParamPathError(`unsafe param path '${path.join('.')}'`);
  let cur: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string;
    const last = i === path.length - 1;
    if (Array.isArray(cur)) {
      const k = arrayIndex(cur, seg, path.slice(0, i + 1));
      if (last) cur[k] = value;
      else {
        if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
        cur = cur[k] as Record<string, unknown> | unknown[];
      }
      continue;
    }
    if (last) cur[seg] = value;
    else {
      const next = cur[seg];
      if (typeof next !== 'object' || next === null) cur[seg] = {};
      cur = cur[seg] as Record<string, unknown> | unknown[];
    }
  }
}

/** Every concrete path matching a pattern whose `*` segments match any key/index; only paths that exist. */
export function expandPath(obj: unknown, pattern: readonly string[]): ParamPath[] {
  const out: ParamPath[] = [];
  const walk = (node: unknown, i: number, acc: (string | number)[]): void => {
    if (i === pattern.length) {
      out.push(acc);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const seg = pattern[i] as string;
    const keys: (string | number)[] = seg === '*' ? (Array.isArray(node) ? node.map((_, k) => k) : Object.keys(node)) : [seg];
    for (const k of keys) {
      const child = (node as Record<string | number, unknown>)[k];
      if (child !== undefined) walk(child, i + 1, [...acc, k]);
    }
  };
  walk(obj, 0, []);
  return out;
}

/** Reads the value at a concrete path. */
export function getPath(obj: unknown, path: ParamPath): unknown {
  let cur = obj;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Writes a value at a concrete path that exists. */
export function replaceAt(obj: unknown, path: ParamPath, value: unknown): void {
  const parent = getPath(obj, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
}
