/**
 * Where a filesystem store may live, checked when a pipeline is loaded (so a bad `--store` or `store:` is a user error
 * before anything is written): a directory, or a path whose existing part is a directory — not a file, not an empty
 * string, not inside a kernel filesystem (/proc, /sys, /dev), where creating directories can never succeed.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const KERNEL = /^\/(proc|sys|dev)(\/|$)/;

/** Why `path` cannot hold a store, or undefined when it can. */
export function storeLocationProblem(path: string): string | undefined {
  if (path.trim() === '') return 'the store path is empty; name a directory';
  let p = resolve(path);
  // The deepest existing ancestor must be a directory (a file there means the store can never be created).
  for (;;) {
    let st;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch {
      st = undefined; // ENOTDIR: a parent is a file, found on the way up
    }
    if (st !== undefined) {
      if (!st.isDirectory()) return p === resolve(path) ? `store ${path} is a file, not a directory` : `store ${path}: ${p} is a file, not a directory`;
      break;
    }
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  let real = resolve(path);
  try {
    real = resolve(realpathSync(p), resolve(path).slice(p.length).replace(/^\//, ''));
  } catch {
    /* permission problems show when the store is opened */
  }
  if (KERNEL.test(resolve(path)) || KERNEL.test(real)) return `store ${path} is inside a kernel filesystem (/proc, /sys, /dev); name an ordinary directory`;
  return undefined;
}
