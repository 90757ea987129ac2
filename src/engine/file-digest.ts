/**
 * Content digests of file params. A param may name a file (its SHA-256) or a folder — e.g. a Hugging Face model
 * folder — whose digest is the SHA-256 of a manifest of its files (relative path, size, SHA-256; dot-entries such
 * as `.cache/` download metadata left out), so the key follows the content, not the location.
 *
 * Big files (≥ MEMO_MIN_BYTES) are hashed once and memoized in the store (`hash-memo/`), keyed by path and trusted
 * only while the whole stat tuple is unchanged: device, inode, size, mtime and ctime in nanoseconds. ctime cannot be
 * set from user space, so rewriting a file and restoring its mtime still invalidates the memo. Like git's index, a
 * file modified within RACY_MS of hashing is not memoized (a write in the same clock tick could go unseen). The
 * memo lives in the store (only once a run has created it), whose writers are trusted with cache entries already, so
 * it adds no new way to make a key lie. Small files are simply re-hashed: nothing is written for them.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { canonicalJson } from './canonical-json.js';
import { sha256 } from './hash.js';
import { createStoreFile, isStoreFolder, readStoreText } from './store/safe-fs.js';

/** Files from this size on are memoized. */
export const MEMO_MIN_BYTES = 16 * 1024 * 1024;
const RACY_MS = 2000;
const CHUNK = 4 * 1024 * 1024;

let bytesHashed = 0;
/** Bytes read for hashing by this process so far (lets tests and benches see the memo work). */
export function hashedBytes(): number {
  return bytesHashed;
}

interface MemoEntry {
  readonly path: string;
  readonly stat: string;
  readonly sha256: string;
}

function statTuple(s: BigIntStats): string {
  return [s.dev, s.ino, s.size, s.mtimeNs, s.ctimeNs].join(':');
}

function hashFileSync(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buf : buf.subarray(0, n));
      bytesHashed += n;
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

function fileDigest(path: string, memoRoot: string | null): string {
  const before = statSync(path, { bigint: true });
  if (memoRoot === null || before.size < BigInt(MEMO_MIN_BYTES)) return hashFileSync(path);
  const memoFile = join(memoRoot, 'hash-memo', `${sha256(path).slice(0, 40)}.json`);
  const tuple = statTuple(before);
  try {
    const m = JSON.parse(readStoreText(memoFile, memoFile, 1 << 20) ?? 'null') as MemoEntry;
    if (m.path === path && m.stat === tuple && /^[0-9a-f]{64}$/.test(m.sha256)) return m.sha256;
  } catch {
    // no memo yet, or unreadable: hash
  }
  const digest = hashFileSync(path);
  const after = statSync(path, { bigint: true });
  const settled = Date.now() - Number(after.mtimeNs / 1_000_000n) > RACY_MS && Date.now() - Number(after.ctimeNs / 1_000_000n) > RACY_MS;
  // Only into a store that exists (a previous run made it): a load with bad input creates nothing.
  if (statTuple(after) === tuple && settled && existsSync(join(memoRoot, 'objects'))) {
    try {
      mkdirSync(join(memoRoot, 'hash-memo'), { recursive: true });
      isStoreFolder(join(memoRoot, 'hash-memo'), 'hash-memo'); // never written through a link
      const tmp = `${memoFile}.${process.pid}.tmp`;
      createStoreFile(tmp, JSON.stringify({ path, stat: tuple, sha256: digest } satisfies MemoEntry));
      renameSync(tmp, memoFile);
    } catch {
      // the memo is an optimisation: an unwritable store only costs re-hashing
    }
  }
  return digest;
}

function listFiles(dir: string, root: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) listFiles(p, root, out);
    else if (s.isFile()) out.push(relative(root, p).split(sep).join('/'));
  }
}

/**
 * SHA-256 of a file, or of a folder's manifest; `memoRoot` (the store) enables the memo for big files, null
 * disables it. Throws the fs error for a missing path.
 */
export function paramDigest(path: string, memoRoot: string | null): string {
  if (!statSync(path).isDirectory()) {
    if (!statSync(path).isFile()) throw new Error('not a regular file or folder');
    return fileDigest(path, memoRoot);
  }
  const files: string[] = [];
  listFiles(path, path, files);
  const entries = files.map((f) => [f, statSync(join(path, f)).size, fileDigest(join(path, f), memoRoot)]);
  return sha256(canonicalJson({ format: 'pipe-folder/1', entries }));
}
