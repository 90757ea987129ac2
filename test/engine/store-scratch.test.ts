/**
 * Scratch space under a store's tmp/: unique between store instances of one process (a worker serving several jobs
 * at once opens the store once per job) and never collected while its owner may be alive — also when the owner is on
 * another host that shares the store.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../src/engine/gc.js';
import { sha256 } from '../../src/engine/hash.js';
import { openStore } from '../../src/engine/store.js';
import { tempDir } from './fixtures/helpers.js';

describe('store scratch space', () => {
  it('gives every tempDir call a directory of its own, across store instances in one process', async () => {
    const root = tempDir();
    const a = openStore(root);
    const b = openStore(root);
    a.init();
    const dirs = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).attempts.tempDir('obj')));
    expect(new Set(dirs).size).toBe(200);
  });

  it('stores concurrent objects from two instances each under its own bytes', async () => {
    const root = tempDir();
    const a = openStore(root);
    const b = openStore(root);
    a.init();
    const texts = Array.from({ length: 100 }, (_, i) => `manifest ${i}`);
    const digests = await Promise.all(texts.map((t, i) => (i % 2 === 0 ? a : b).putBytes(t)));
    digests.forEach((d, i) => {
      expect(d).toBe(sha256(texts[i] as string));
      expect(readFileSync(a.objectPath(d), 'utf8')).toBe(texts[i]);
    });
  });

  it('gc keeps scratch entries and key locks of a live process on another host, and collects dead ones here', async () => {
    const root = tempDir();
    const store = openStore(root);
    store.init();
    // Another host: its pid means nothing here; its lock is fresh (heartbeat just renewed).
    const foreignTmp = join(root, 'tmp', '4242-0badf00d-attempt-x-abc123');
    mkdirSync(foreignTmp);
    writeFileSync(join(root, 'locks', 'k1.lock'), JSON.stringify({ pid: 4242, host: 'another-host.example', time: new Date().toISOString(), token: 't' }));
    // This host, a pid that cannot be alive (above pid_max).
    const ownDead = (await store.attempts.tempDir('obj')).replace(/\/tmp\/\d+-/, '/tmp/99999999-');
    mkdirSync(ownDead);
    // Another host, untouched for longer than any attempt runs.
    const foreignOld = join(root, 'tmp', '4243-0badf00d-obj-def456');
    mkdirSync(foreignOld);
    const old = new Date(Date.now() - 30 * 24 * 3600_000);
    utimesSync(foreignOld, old, old);
    const { items } = await collectGarbage(store, { dryRun: true });
    const names = items.map((i) => i.name);
    expect(names).not.toContain('4242-0badf00d-attempt-x-abc123');
    expect(names).not.toContain('k1.lock');
    expect(names).toContain(ownDead.split('/').pop());
    expect(names).toContain('4243-0badf00d-obj-def456');
  });
});
