import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, ProgressUpdate } from '../../../src/engine/node-kind.js';

const dirs: string[] = [];

/** Removes every directory fakeCtx created (call from afterAll). */
export function cleanupFakeCtx(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A NodeContext writing outputs into a temp dir and keeping what the node reported. */
export function fakeCtx<P>(params: P): NodeContext<P> & {
  dir: string;
  progressUpdates: ProgressUpdate[];
  metrics: [string, number][];
  logs: string[];
} {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-gp-test-'));
  dirs.push(dir);
  const progressUpdates: ProgressUpdate[] = [];
  const metrics: [string, number][] = [];
  const logs: string[] = [];
  return {
    id: 'node',
    params,
    seed: 1,
    inputs: {},
    output: (name) => join(dir, name),
    resumeDir: join(dir, '.resume'),
    signal: new AbortController().signal,
    progress: (u) => void progressUpdates.push(u),
    log: (m) => void logs.push(m),
    metric: (name, value) => void metrics.push([name, value]),
    record: () => undefined,
    dir,
    progressUpdates,
    metrics,
    logs,
  };
}
