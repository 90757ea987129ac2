/**
 * Gathered inputs (`node[*].output`): one directory artifact whose entries are the outputs of every matrix
 * instance of a node, named by their axis values. Built as a tree manifest over the instances' existing objects, so
 * gathering copies nothing and its digest changes exactly when one instance's output does.
 */
import { canonicalJson } from './canonical-json.js';
import { sha256 } from './hash.js';
import type { InputRef } from './pipeline.js';
import type { Artifact, TreeEntry, TreeManifest } from './artifact.js';

/** The instance ids an input reference depends on. */
export function refSources(ref: InputRef): string[] {
  return ref.gather !== undefined ? ref.gather.map((g) => g.node) : [ref.node];
}

/** How the reference is written, for messages (`train[*].model`, `a.out`). */
export function refLabel(ref: InputRef): string {
  return `${ref.node}${ref.gather !== undefined ? '[*]' : ''}.${ref.output}`;
}

/** The manifest text and total size of a gathered directory. `readManifest` reads a directory artifact's manifest. */
export function gatherManifest(
  parts: readonly { readonly label: string; readonly artifact: Artifact }[],
  readManifest: (digest: string) => TreeManifest,
): { text: string; size: number } {
  const entries: TreeEntry[] = [];
  let size = 0;
  for (const { label, artifact } of parts) {
    size += artifact.size;
    if (artifact.type === 'file') {
      entries.push({ path: label, type: 'file', digest: artifact.digest, size: artifact.size, executable: false });
    } else {
      entries.push({ path: label, type: 'dir' });
      for (const e of readManifest(artifact.digest).entries) entries.push({ ...e, path: `${label}/${e.path}` });
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: TreeManifest = { format: 'pipe-tree/1', entries };
  return { text: canonicalJson(manifest), size };
}

/** The artifact of a gathered input without storing its manifest (for `plan`). */
export function gatherDigest(
  parts: readonly { readonly label: string; readonly artifact: Artifact }[],
  readManifest: (digest: string) => TreeManifest,
): Artifact {
  const { text, size } = gatherManifest(parts, readManifest);
  return { digest: sha256(text), type: 'dir', size };
}
