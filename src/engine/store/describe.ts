/**
 * The artifact a path would become, computed the same way the store publishes it: a file's SHA-256, or the SHA-256
 * of a directory's canonical manifest. `onFile` hashes (and possibly publishes) each file; `onManifest` stores the
 * manifest text and returns its digest. Used directly (hash only) by `pipe audit` and `pipe fsck`.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { canonicalJson } from '../canonical-json.js';
import { hashFile, sha256 } from '../hash.js';
import type { Artifact, TreeEntry, TreeManifest } from '../store.js';

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
  if (!st.isDirectory()) throw new Error(`output '${outputName}' is neither a file nor a directory`);
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
        throw new Error(`output '${outputName}' contains ${rel}, which is not a regular file or directory (symlinks are not stored)`);
      }
    }
  };
  await walk(path);
  const manifest: TreeManifest = { format: 'pipe-tree/1', entries };
  return { digest: await onManifest(canonicalJson(manifest)), type: 'dir', size: total };
}
