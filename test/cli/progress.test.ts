/** What `pipe run` shows while it runs: elapsed time and ETA, pending vs running, and a summary on Ctrl-C. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { liveReporter } from '../../src/cli/live-reporter.js';
import { plainReporter } from '../../src/cli/run-reporter.js';
import type { NodeResult } from '../../src/engine/execute.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const plain = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');

describe('plain progress lines', () => {
  it('carry elapsed time and an ETA, and never repeat the same line', async () => {
    const lines: string[] = [];
    const r = plainReporter((l) => lines.push(...l.split('\n')), new Map([['train', 90]]));
    r.onEvent({ type: 'node-start', id: 'train', reason: 'no previous run' });
    r.onEvent({ type: 'node-progress', id: 'train', update: { done: 121, total: 800, unit: 'episodes' } });
    await sleep(1100);
    r.onEvent({ type: 'node-progress', id: 'train', update: { done: 121, total: 800, unit: 'episodes' } });
    await r.close();
    expect(lines[0]).toBe('[run] train: no previous run (took 1m30s last time)');
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(/^\[train\] 121\/800 episodes \(\d+\.\ds, ETA \d+\.\ds\)$/);
  });
});

describe('the live view', () => {
  const result = (id: string, status: NodeResult['status'], reason: string, seconds: number): NodeResult => ({ id, status, reasonType: 'cancelled', reason, seconds });

  it('shows pending and running nodes differently, with elapsed time and an ETA from the last run', async () => {
    let screen = '';
    const view = liveReporter(['levels', 'train', 'eval'], new Map([['train', 600]]), { write: (t) => (screen += t), columns: () => 120, rows: () => 40 });
    view.onEvent({ type: 'node-done', result: { ...result('levels', 'cached', 'cache hit', 0), reasonType: 'cached' } });
    view.onEvent({ type: 'node-start', id: 'train', reason: 'no previous run' });
    screen = '';
    view.message('note');
    const frame = plain(screen).split('\n');
    expect(frame[0]).toBe('note');
    expect(frame[1]).toMatch(/^↺ levels +cached$/);
    expect(frame[2]).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] train +\d+\.\ds, ETA 9m\d\ds {2}no previous run$/);
    expect(frame[3]).toMatch(/^· eval +pending$/);
    await view.close();
  });

  it('after Ctrl-C the final frame says which nodes were stopped while running and which never started', async () => {
    let screen = '';
    const view = liveReporter(['a', 'b', 'c'], new Map(), { write: (t) => (screen += t), columns: () => 120, rows: () => 40 });
    view.onEvent({ type: 'node-done', result: { ...result('a', 'ran', 'no previous run', 1.5), reasonType: 'new' } });
    view.onEvent({ type: 'node-done', result: result('b', 'skipped', 'cancelled: interrupted', 12.3) });
    view.onEvent({ type: 'node-done', result: result('c', 'skipped', 'cancelled: interrupted', 0) });
    screen = '';
    await view.close();
    const frame = plain(screen).split('\n');
    expect(frame.slice(0, 3)).toEqual(['✔ a     1.5s', '■ b     cancelled: interrupted after 12s', '– c     not started (cancelled: interrupted)']);
  });
});

describe('pipe run interrupted', () => {
  it('exit 130 and one summary line naming what was stopped and what never started', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: int\nnodes:\n  s: { kind: t.slow, params: { ms: 20000 } }\n  after: { kind: t.concat, inputs: { a: s.out } }\n');
    let err = '';
    const running = capture(runCommand, [file], { err: (t) => (err += t) });
    while (!err.includes('[run] s')) await sleep(20);
    process.emit('SIGINT', 'SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(err).toMatch(/\[skipped\] s: cancelled: interrupted after \d+\.\ds of running\n/);
    expect(err).toMatch(/int: interrupted after \d+\.\d\ds: 0 ran, 0 cached, 0 failed, 1 stopped while running, 1 not started; `pipe run` again resumes from the cache\n$/);
  });
});
