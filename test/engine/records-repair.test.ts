/**
 * fsck --repair of record files on a real store: torn and garbage lines are reported by file and line, repair keeps
 * every valid line byte for byte (rename over the old file), and leaves the files alone while a run or an attempt
 * could be appending.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { checkStore } from '../../src/engine/fsck.js';
import { acquireLock } from '../../src/engine/lock.js';
import { openStore } from '../../src/engine/store.js';
import { run, tempDir, writePipeline } from './fixtures/helpers.js';

const PIPELINE = `name: r\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'printf a > "$PIPE_OUT/o"'] }\n    outputs: [o]\n  b:\n    kind: exec\n    inputs: { i: a.o }\n    params: { argv: [sh, -c, 'while [ ! -e "$GO" ]; do sleep 0.02; done; cat "$PIPE_IN_i" > "$PIPE_OUT/o"'] }\n    outputs: [o]\n`;

/** A store made by a real run, with a torn line in the middle of node_runs and a torn last line in runs. */
async function damagedStore(): Promise<{ dir: string; file: string; store: string; go: string }> {
  const dir = tempDir();
  const go = join(dir, 'go');
  writeFileSync(go, '');
  process.env.GO = go;
  const file = writePipeline(dir, PIPELINE);
  expect((await run(file)).ok).toBe(true);
  const store = join(dir, 'artifacts');
  // A writer killed mid-line, then a later run appending after it (the append starts on a fresh line).
  appendFileSync(join(store, 'meta', 'node_runs.jsonl'), '{"run_id":"x","node_');
  expect((await run(file, { force: new Set(['a']) })).ok).toBe(true);
  appendFileSync(join(store, 'meta', 'node_runs.jsonl'), 'garbage\n');
  appendFileSync(join(store, 'meta', 'runs.jsonl'), '{"run_id":"torn","st');
  return { dir, file, store, go };
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n');

describe('fsck --repair of record files', () => {
  it('reports torn and garbage lines by file and line, and rewrites each file with exactly its valid lines', async () => {
    const { store } = await damagedStore();
    const nodeRuns = join(store, 'meta', 'node_runs.jsonl');
    const runs = join(store, 'meta', 'runs.jsonl');
    const before = lines(nodeRuns);
    const tornAt = before.findIndex((l) => l.startsWith('{"run_id":"x"')) + 1;
    expect(tornAt).toBeGreaterThan(1);
    expect(tornAt).toBeLessThan(before.length - 2); // in the middle: valid rows follow it

    const checked = await checkStore(openStore(store));
    expect(checked.problems).toEqual([
      { file: `meta/node_runs.jsonl:${tornAt}`, problem: 'not a JSON line (skipped by readers)' },
      { file: `meta/node_runs.jsonl:${before.length - 1}`, problem: 'not a JSON line (skipped by readers)' },
      { file: `meta/runs.jsonl:${lines(runs).length}`, problem: 'not a JSON line (skipped by readers)' },
    ]);

    const expectedNodeRuns = before.filter((l, i) => i + 1 !== tornAt && l !== 'garbage' && l !== '').join('\n') + '\n';
    const expectedRuns = lines(runs).filter((l) => l !== '' && !l.startsWith('{"run_id":"torn"')).join('\n') + '\n';
    const repaired = await checkStore(openStore(store), { repair: true });
    expect(repaired.problems.map((p) => p.repaired)).toEqual([
      'file rewritten without its 2 bad lines (' + (before.length - 3) + ' kept)',
      'file rewritten without its 2 bad lines (' + (before.length - 3) + ' kept)',
      'file rewritten without its 1 bad line (' + (expectedRuns.split('\n').length - 1) + ' kept)',
    ]);
    expect(readFileSync(nodeRuns, 'utf8')).toBe(expectedNodeRuns);
    expect(readFileSync(runs, 'utf8')).toBe(expectedRuns);
    expect(readdirSync(join(store, 'meta')).filter((f) => !f.endsWith('.jsonl') && f !== 'tables')).toEqual([]);
    expect((await checkStore(openStore(store))).problems).toEqual([]);
  });

  it('leaves the files alone while a run is in progress, and keeps that run’s rows when repaired after it', async () => {
    const { file, store, go } = await damagedStore();
    const nodeRuns = join(store, 'meta', 'node_runs.jsonl');
    rmSync(go);
    const live = run(file, { force: new Set(['b']) });
    // Wait until b executes in the new run (its forced 'running' row is written).
    while (!/"node_id":"b"[^\n]*"status":"running","reason_type":"forced"/.test(readFileSync(nodeRuns, 'utf8'))) await sleep(20);
    const inode = statSync(nodeRuns).ino;
    const r = await checkStore(openStore(store), { repair: true });
    expect(r.problems.map((p) => p.repaired)).toEqual(Array(3).fill(`not repaired: a run in progress (pid ${process.pid}) may be appending; run pipe fsck --repair again when it ends`));
    expect(statSync(nodeRuns).ino).toBe(inode);
    expect(lines(nodeRuns)).toContain('garbage');
    writeFileSync(go, '');
    expect((await live).ok).toBe(true);
    const finished = lines(nodeRuns).filter((l) => l.includes('"status":"ran"')).length;
    await checkStore(openStore(store), { repair: true });
    expect(lines(nodeRuns).filter((l) => l.includes('"status":"ran"')).length).toBe(finished);
    expect((await checkStore(openStore(store))).problems).toEqual([]);
  });

  it('leaves the files alone while an attempt holds a cache key lock', async () => {
    const { store } = await damagedStore();
    const release = await acquireLock(join(store, 'locks', `${'a'.repeat(64)}.lock`));
    try {
      const r = await checkStore(openStore(store), { repair: true });
      expect(r.problems[0]?.repaired).toBe(`not repaired: a node attempt holding locks/${'a'.repeat(64)}.lock may be appending; run pipe fsck --repair again when it ends`);
    } finally {
      release();
    }
    expect(existsSync(join(store, 'locks', 'gc.lock'))).toBe(false);
    expect((await checkStore(openStore(store), { repair: true })).problems.every((p) => p.repaired?.startsWith('file rewritten'))).toBe(true);
  });
});
