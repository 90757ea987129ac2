/**
 * The artifact a path would become, computed the same way the store publishes it: a file's SHA-256, or the SHA-256
 * of a directory's canonical manifest. `onFile` hashes (and possibly publishes) each file; `onManifest` stores the
 * manifest text and returns its digest. Used directly (hash only) by `pipe audit` and `pipe fsck`.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
import { hashFile, sha256 } from '../hash.js';
import type { Artifact, TreeEntry, TreeManifest } from '../store.js';

/** An output the store cannot hold (a link, FIFO, socket or device): the node's fault, reported without a stack. */
export class UnstorableOutput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnstorableOutput';
  }
}

export async function describeArtifact(
  path: string,
  outputName: string,
  onFile: (path: string) => Promise<{ digest: string; size: number }> = hashFile,
  onManifest: (text: string) => Promise<string> = async (t) => sha256(t),
): Promise<Artifact> {
  const st = await lstat(path);
  if (st.isFile()) {
    const { digest, size } = await onFile(path);
    return { digest, type: 'file', size };
  }
  if (!st.isDirectory()) throw new UnstorableOutput(`output '${outputName}' is ${kindOf(st)}, not a file or a directory (pipe stores only those)`);
  const entries: TreeEntry[] = [];
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const p = join(dir, name);
      const rel = relative(path, p).split('\\').join('/');
      const s = await lstat(p);
      if (s.isDirectory()) {
        entries.push({ path: rel, type: 'dir' });
        await walk(p);
      } else if (s.isFile()) {
        const executable = (s.mode & 0o111) !== 0;
        const { digest, size } = await onFile(p);
        total += size;
        entries.push({ path: rel, type: 'file', digest, size, executable });
      } else {
        throw new UnstorableOutput(`output '${outputName}' contains ${rel}, which is ${kindOf(s)}, not a file or a directory (pipe stores only those)`);
      }
    }
  };
  await walk(path);
  const manifest: TreeManifest = { format: 'pipe-tree/1', entries };
  return { digest: await onManifest(canonicalJson(manifest)), type: 'dir', size: total };
}

function kindOf(st: Stats): string {
  return st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'something else';
}
