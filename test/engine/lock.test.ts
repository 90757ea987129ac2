import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, processStart } from '../../src/engine/lock.js';
import { tempDir } from './fixtures/helpers.js';

describe('lock files', () => {
  it('serializes holders; a waiter is told the holder pid once and gets the lock on release', async () => {
    const path = join(tempDir(), 'k.lock');
    const release = await acquireLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    // Simulate another live process holding it: our parent (alive, not us).
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), time: 'now', start: processStart(process.ppid) }));
    const waits: number[] = [];
    const second = acquireLock(path, { pollMs: 10, onWait: (pid) => waits.push(pid) });
    await new Promise((r) => setTimeout(r, 80));
    expect(waits).toEqual([process.ppid]);
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), time: 'now' }));
    release();
    const release2 = await second;
    release2();
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose process is dead, or whose pid was recycled', async () => {
    const dir = tempDir();
    const dead = join(dir, 'dead.lock');
    writeFileSync(dead, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), time: 'then' }));
    (await acquireLock(dead))();
    const recycled = join(dir, 'recycled.lock');
    writeFileSync(recycled, JSON.stringify({ pid: process.ppid, host: hostname(), time: 'then', start: '1' }));
    (await acquireLock(recycled))();
  });

  it('aborting a wait rejects', async () => {
    const path = join(tempDir(), 'k.lock');
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), time: 'now' }));
    const controller = new AbortController();
    const p = acquireLock(path, { pollMs: 10, signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow();
  });
});
