/**
 * What the store holds for an output, declared apart from the Store interface so that code that only describes
 * outputs (gather manifests, digests) does not depend on the store.
 */

/** A stored output: a file object or a directory manifest object. */
export interface Artifact {
  readonly digest: string;
  readonly type: 'file' | 'dir';
  /** Total bytes (for a directory: the sum of its files). */
  readonly size: number;
}

/** A directory manifest: every entry with a relative path inside the tree. */
export interface TreeManifest {
  readonly format: 'pipe-tree/1';
  readonly entries: readonly TreeEntry[];
}
export type TreeEntry =
  | { readonly path: string; readonly type: 'file'; readonly digest: string; readonly size: number; readonly executable: boolean }
  | { readonly path: string; readonly type: 'dir' };
