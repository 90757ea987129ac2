/** A NodeContext for running node kinds in tests without the engine: records metrics, rows, logs and progress. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeContext, ProgressUpdate } from '../../../src/engine/node-kind.js';

export interface FakeCtx<P> extends NodeContext<P> {
  readonly metrics: { name: string; value: number; step: number | undefined }[];
  readonly tables: Record<string, Record<string, unknown>[]>;
  readonly logs: string[];
  readonly updates: ProgressUpdate[];
  readonly outDir: string;
}

export function fakeCtx<P>(params: P, inputs: Record<string, string>, opts: { seed?: number; resumeDir?: string; onProgress?: (u: ProgressUpdate) => void } = {}): FakeCtx<P> {
  const root = mkdtempSync(join(tmpdir(), 'pipe-study-'));
  const outDir = join(root, 'out');
  mkdirSync(outDir);
  const resumeDir = opts.resumeDir ?? join(root, 'resume');
  mkdirSync(resumeDir, { recursive: true });
  const metrics: FakeCtx<P>['metrics'] = [];
  const tables: Record<string, Record<string, unknown>[]> = {};
  const logs: string[] = [];
  const updates: ProgressUpdate[] = [];
  return {
    id: 'node',
    params,
    seed: opts.seed ?? 7,
    inputs,
    output: (name) => join(outDir, name),
    resumeDir,
    signal: new AbortController().signal,
    progress: (u) => {
      updates.push(u);
      opts.onProgress?.(u);
    },
    log: (m) => logs.push(m),
    metric: (name, value, step) => metrics.push({ name, value, step }),
    record: (table, rows) => {
      (tables[table] ??= []).push(...rows.map((r) => ({ ...r })));
    },
    metrics,
    tables,
    logs,
    updates,
    outDir,
  };
}
