import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, processStart, readLockInfo } from '../../src/engine/lock.js';
import { tempDir } from './fixtures/helpers.js';

describe('lock files', () => {
  it('serializes holders; a waiter is told the holder pid once and gets the lock on release', async () => {
    const path = join(tempDir(), 'k.lock');
    const release = await acquireLock(path);
    const ours = readFileSync(path, 'utf8');
    expect(JSON.parse(ours).pid).toBe(process.pid);
    // Simulate another live process holding it: our parent (alive, not us).
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), time: 'now', start: processStart(process.ppid) }));
    const waits: number[] = [];
    const second = acquireLock(path, { pollMs: 10, onWait: (pid) => waits.push(pid) });
    await new Promise((r) => setTimeout(r, 80));
    expect(waits).toEqual([process.ppid]);
    writeFileSync(path, ours);
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

describe('heartbeat locks between hosts', () => {
  const foreign = (path: string, token: string) => writeFileSync(path, JSON.stringify({ pid: 4242, host: 'another-host', time: 'now', token }));

  it('waits for a holder on another host while it renews its heartbeat, and breaks the lock once it stops', async () => {
    const path = join(tempDir(), 'k.lock');
    foreign(path, 'L1');
    const renew = setInterval(() => utimesSync(path, new Date(), new Date()), 20);
    const broken: (string | undefined)[] = [];
    let got = false;
    const waiter = acquireLock(path, { ttlMs: 200, pollMs: 10, onBreak: (info) => broken.push(info?.token) }).then((release) => {
      got = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(got).toBe(false); // still renewed: 2.5 time-to-lives later, not broken
    clearInterval(renew);
    const release = await waiter;
    expect(broken).toEqual(['L1']);
    expect(readLockInfo(path)?.pid).toBe(process.pid);
    release();
    expect(existsSync(path)).toBe(false);
  });

  it('a holder whose lock was broken is told, and its release leaves the new holder alone', async () => {
    const path = join(tempDir(), 'k.lock');
    let lost = false;
    const release = await acquireLock(path, { ttlMs: 80, onLost: () => (lost = true) });
    foreign(path, 'L2'); // someone judged us dead and took over
    await new Promise((r) => setTimeout(r, 120));
    expect(lost).toBe(true);
    release();
    expect(readLockInfo(path)?.token).toBe('L2');
  });

  it('many concurrent takers of a stale lock: exactly one holds it at a time', async () => {
    const path = join(tempDir(), 'k.lock');
    foreign(path, 'dead');
    let holders = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const release = await acquireLock(path, { ttlMs: 60, pollMs: 5 });
        most = Math.max(most, ++holders);
        await new Promise((r) => setTimeout(r, 15));
        holders--;
        release();
      }),
    );
    expect(most).toBe(1);
  });
});
