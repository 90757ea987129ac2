import { cpSync, existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { hashedBytes, MEMO_MIN_BYTES, paramDigest } from '../../src/engine/file-digest.js';
import { tempDir } from './fixtures/helpers.js';

function folder(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('folder params are hashed by content', () => {
  it('the same files in two places have one digest; a changed byte, a renamed file or an added file change it', () => {
    const files = { 'config.json': '{"a":1}', 'model.safetensors': 'weights', 'sub/tokenizer.json': '{}' };
    const a = folder(files);
    const digest = paramDigest(a, null);
    expect(paramDigest(folder(files), null)).toBe(digest);
    expect(paramDigest(folder({ ...files, 'model.safetensors': 'weightz' }), null)).not.toBe(digest);
    const { 'sub/tokenizer.json': t, ...rest } = files;
    expect(paramDigest(folder({ ...rest, 'tokenizer.json': t }), null)).not.toBe(digest);
    expect(paramDigest(folder({ ...files, 'README.md': 'x' }), null)).not.toBe(digest);
  });

  it('dot-entries (download metadata such as .cache/) do not count', () => {
    const files = { 'config.json': '{}', 'model.safetensors': 'w' };
    expect(paramDigest(folder({ ...files, '.cache/huggingface/download/x.metadata': String(Date.now()) }), null)).toBe(paramDigest(folder(files), null));
  });
});

describe('big files are hashed once, memoized in the store by their stat tuple', () => {
  const big = (dir: string, fill: number): string => {
    const file = join(dir, 'model.safetensors');
    writeFileSync(file, Buffer.alloc(MEMO_MIN_BYTES + 1, fill));
    return file;
  };

  it('a second digest reads nothing; rewriting the file with the same size and mtime still re-hashes it', async () => {
    const store = tempDir();
    mkdirSync(join(store, 'objects'));
    const file = big(tempDir(), 1);
    const t = Math.floor(Date.now() / 1000) - 60; // whole seconds, so the mtime can be restored exactly below
    utimesSync(file, t, t);
    const mtimeNs = statSync(file, { bigint: true }).mtimeNs;
    await sleep(2100); // a file changed within 2 s of hashing is not memoized (its timestamp may not have moved yet)
    const first = paramDigest(file, store);
    expect(readdirSync(join(store, 'hash-memo'))).toHaveLength(1);
    const before = hashedBytes();
    expect(paramDigest(file, store)).toBe(first);
    expect(hashedBytes()).toBe(before);
    // Same size, same mtime, different bytes: ctime moved, so the memo is not trusted.
    writeFileSync(file, Buffer.alloc(MEMO_MIN_BYTES + 1, 2));
    utimesSync(file, t, t);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(mtimeNs);
    expect(paramDigest(file, store)).not.toBe(first);
    expect(hashedBytes()).toBe(before + MEMO_MIN_BYTES + 1);
  });

  it('a file just written is not memoized, and nothing is written into a store that no run has created', () => {
    const store = tempDir();
    mkdirSync(join(store, 'objects'));
    paramDigest(big(tempDir(), 3), store);
    expect(existsSync(join(store, 'hash-memo'))).toBe(false);
    const noStore = join(tempDir(), 'artifacts');
    const dir = tempDir();
    const file = big(dir, 4);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    paramDigest(file, noStore);
    expect(existsSync(noStore)).toBe(false);
  });

  it('a folder param of big files uses the memo per file and moves with its content', async () => {
    const store = tempDir();
    mkdirSync(join(store, 'objects'));
    const dir = tempDir();
    big(dir, 5);
    writeFileSync(join(dir, 'config.json'), '{}');
    await sleep(2100);
    const digest = paramDigest(dir, store);
    const before = hashedBytes();
    expect(paramDigest(dir, store)).toBe(digest);
    expect(hashedBytes() - before).toBe(2); // only the small config.json was read again
    const copy = tempDir();
    cpSync(dir, copy, { recursive: true });
    expect(paramDigest(copy, null)).toBe(digest);
  });
});
