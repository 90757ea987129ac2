import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStart } from '../../src/engine/lock.js';
import { interruptedRuns, recordInterruptedRuns } from '../../src/engine/run-status.js';
import { tempDir } from './fixtures/helpers.js';

describe('interruptedRuns', () => {
  it('a run still running whose process is gone from this host; not a live, finished, or foreign run', () => {
    const dead = spawnSync('true').pid as number;
    const me = { pid: process.pid, host: hostname(), pid_start: processStart(process.pid) };
    const row = (run_id: string, extra: object, finished: string | null = null) => JSON.stringify({ run_id, ...extra, finished, status: finished ? 'ok' : 'running' });
    const file = join(tempDir(), 'runs.jsonl');
    writeFileSync(
      file,
      [
        row('killed', { pid: dead, host: hostname() }),
        row('old-format', { pid: dead }),
        row('live', me),
        row('done', { pid: dead, host: hostname() }),
        row('done', { pid: dead, host: hostname() }, '2026-01-01T00:00:00Z'),
        row('elsewhere', { pid: dead, host: `not-${hostname()}` }),
        row('recycled', { ...me, pid_start: 'an earlier process' }),
        '{"run_id":"torn","pid":', // a line being written
      ].join('\n'),
    );
    expect([...interruptedRuns(file)].sort()).toEqual(['killed', 'old-format', 'recycled']);
    expect(interruptedRuns(join(tempDir(), 'none.jsonl')).size).toBe(0);
  });

  it("a run's start records earlier runs whose process died (from their markers) and removes the markers", () => {
    const locks = tempDir();
    const dead = spawnSync('true').pid as number;
    const marker = (id: string, pid: number, extra: object = {}) =>
      writeFileSync(join(locks, `run-${id}.run`), JSON.stringify({ run_id: id, pipeline: 'p', file: '/p.yaml', pid, host: hostname(), started: '2026-01-01T00:00:00Z', ...extra }));
    marker('killed', dead);
    marker('live', process.pid);
    marker('elsewhere', dead, { host: `not-${hostname()}` });
    writeFileSync(join(locks, 'run-torn.run'), '{"run_id":');
    writeFileSync(join(locks, 'abc.lock'), JSON.stringify({ pid: dead }));
    const appended: object[] = [];
    expect(recordInterruptedRuns(locks, (rows) => appended.push(...rows))).toEqual(['killed']);
    expect(appended).toEqual([
      { run_id: 'killed', pipeline: 'p', file: '/p.yaml', pid: dead, host: hostname(), pid_start: null, started: '2026-01-01T00:00:00Z', finished: expect.any(String), status: 'interrupted' },
    ]);
    expect(readdirSync(locks).sort()).toEqual(['abc.lock', 'run-elsewhere.run', 'run-live.run', 'run-torn.run']);
    expect(recordInterruptedRuns(locks, () => appended.push({}))).toEqual([]);
    expect(appended).toHaveLength(1);
  });
});
