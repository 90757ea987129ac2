/**
 * Where a filesystem store may live, checked when a pipeline is loaded (so a bad `--store` or `store:` is a user error
 * before anything is written): a directory, or a path whose existing part is a directory — not a file, not an empty
 * string, not inside a kernel filesystem (/proc, /sys, /dev), where creating directories can never succeed, and not
 * an existing folder of other files (a home directory, /etc), which pipe would litter with its layout.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
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
  // An existing folder that holds other things is not a store: writing the layout (objects/, tmp/, cache/…) into a
  // home directory, /etc or a source tree would litter it, and gc would later clean its tmp/ and logs/.
  if (p === resolve(path)) {
    let names: string[] = [];
    try {
      names = readdirSync(p);
    } catch {
      /* unreadable: reported when the store is opened */
    }
    const isStore = names.includes('objects') || names.includes('meta');
    if (!isStore && names.some((n) => !n.startsWith('.'))) {
      return `store ${path} is a folder with other files in it, not a pipe store; name a new or empty folder (pipe writes objects/, cache/, meta/, tmp/… there)`;
    }
  }
  return undefined;
}
