/**
 * Environment errors are one line saying what to do (no stack trace), and a store location that can never work is a
 * user error (exit 2) before anything is written. Read-only and full filesystems are real tmpfs mounts (we run as
 * root in CI); where mounting is not permitted those cases are skipped, visibly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { planCommand } from '../../src/cli/commands/plan.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const yaml = (store = '') => `name: env\n${store}nodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'printf hi > "$PIPE_OUT/o"'] }\n    outputs: [o]\n`;
const oneLine = (text: string): void => {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
};

describe('store locations that can never work are user errors (exit 2, nothing written)', () => {
  it('--store naming a file, --store with a file in the path, --store empty, store: /proc/self', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml());
    writeFileSync(join(dir, 'plain'), 'x');
    const cases: [string[], string][] = [
      [['--store', join(dir, 'plain')], `--store: store ${join(dir, 'plain')} is a file, not a directory`],
      [['--store', join(dir, 'plain', 'sub')], `is a file, not a directory`],
      [['--store', ''], '--store: the store path is empty; name a directory'],
    ];
    for (const [flags, message] of cases) {
      for (const command of [runCommand, planCommand]) {
        const r = await capture(command, [file, ...flags]);
        expect(r.code, flags.join(' ')).toBe(2);
        expect(r.err).toContain(message);
      }
    }
    const proc = writePipeline(dir, yaml('store: /proc/self\n'), 'proc.yaml');
    const r = await capture(runCommand, [proc]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('store /proc/self is inside a kernel filesystem (/proc, /sys, /dev); name an ordinary directory');
    expect(r.err).toContain('proc.yaml:2:8');
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  });
});

/** A fresh tmpfs of `size` under a temp dir, or undefined where mounting is not permitted. */
const mounts: string[] = [];
function tmpfs(size: string): string | undefined {
  const dir = join(tempDir('pipe-mnt-'), 'm');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}
afterAll(() => {
  for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
});
const canMount = (() => {
  const m = tmpfs('64k');
  return m !== undefined;
})();

describe.skipIf(!canMount)('read-only and full filesystems (real tmpfs mounts)', () => {
  it('a read-only store: one line saying what to do (EROFS), for a run that would only read the cache too', async () => {
    const mnt = tmpfs('4m') as string;
    const dir = tempDir();
    const file = writePipeline(dir, yaml());
    const store = join(mnt, 'store');
    expect((await capture(runCommand, [file, '--store', store])).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const r = await capture(runCommand, [file, '--store', store]);
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/^pipe run: .*is on a read-only filesystem; pass --store DIR on a writable one .*\(EROFS\)\n$/);
    // Reading still works.
    expect((await capture(planCommand, [file, '--store', store])).code).toBe(0);
  });

  it('a full disk: one line (ENOSPC), whether it fills while storing an output or before the run starts', async () => {
    const mnt = tmpfs('256k') as string;
    const dir = tempDir();
    const store = join(mnt, 'store');
    // The output has a second link, so storing it needs a copy, which does not fit.
    const file = writePipeline(dir, `name: full\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'head -c 150000 /dev/zero > "$PIPE_OUT/o"; ln "$PIPE_OUT/o" keep'] }\n    outputs: [o]\n`);
    const r = await capture(runCommand, [file, '--store', store]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no space left on device');
    expect(r.err).not.toMatch(/^\s+at /m);
    // Now fill it completely: even an all-cached run needs to record itself.
    const small = writePipeline(dir, yaml(), 'small.yaml');
    expect((await capture(runCommand, [small, '--store', store])).code).toBe(0);
    try {
      execFileSync('sh', ['-c', `head -c 1000000 /dev/zero > ${join(mnt, 'filler')}`], { stdio: 'ignore' });
    } catch {
      /* full: that was the point */
    }
    const again = await capture(runCommand, [small, '--store', store]);
    expect(again.code).toBe(1);
    oneLine(again.err);
    expect(again.err).toMatch(/no space left on the device; free some \(pipe gc deletes results no pipeline refers to\) or pass --store DIR on another disk \(ENOSPC\)\n$/);
    expect(readdirSync(join(store, 'cache')).length).toBe(1);
    // gc, the remedy named above, says what frees room when the disk has none even for its lock, and leaves no
    // empty lock behind that would hold up the next run.
    const gc = await capture(gcCommand, ['--store', store]);
    expect(gc.code).toBe(1);
    oneLine(gc.err);
    expect(gc.err).toMatch(/^pipe gc: no space left even for gc's lock file \(ENOSPC\); free a little space/);
    expect(existsSync(join(store, 'locks', 'gc.lock'))).toBe(false);
    rmSync(join(mnt, 'filler'));
    expect((await capture(gcCommand, ['--store', store])).code).toBe(0);
  });
});
