/**
 * Builds the CLI (dist/, what bin/pipe.js runs) once for the test files that spawn it: skipped when dist/ is newer
 * than every source file, and serialized between test files running in parallel (one builds, the others wait), so
 * no spawned CLI ever reads a half-written dist/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

const root = resolve(import.meta.dirname, '..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = (): boolean => {
  const main = join(root, 'dist', 'cli', 'main.js');
  return !existsSync(main) || statSync(main).mtimeMs < Math.max(newest(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);
};

/** Makes sure dist/ matches src/. */
export async function ensureCliBuilt(): Promise<void> {
  const lock = join(tmpdir(), `pipe-test-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
  for (;;) {
    if (!stale()) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock older than 5 minutes is a dead builder's.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > 300_000) rmdirSync(lock);
      await sleep(200);
      continue;
    }
    try {
      if (stale()) {
        try {
          execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
        } catch {
          // Type errors elsewhere still emit (noEmitOnError: false); what matters is that the CLI was built.
        }
        if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('build failed: dist/cli/main.js missing');
      }
      return;
    } finally {
      rmdirSync(lock);
    }
  }
}
