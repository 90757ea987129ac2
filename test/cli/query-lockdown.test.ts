/** `pipe query` cannot write into the store, read other files, attach databases or install extensions. */
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { queryCommand } from '../../src/cli/commands/query.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

describe('pipe query is read-only', () => {
  it('refuses COPY over the store’s records, reading other files, ATTACH and INSTALL; --allow-write names one outside file', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: q\nnodes:\n  a: { kind: t.value, params: { value: x } }\n');
    expect((await capture(runCommand, [file])).code).toBe(0);
    const store = join(dir, 'artifacts');
    const runs = join(store, 'meta', 'runs.jsonl');
    const before = readFileSync(runs, 'utf8');
    const q = (sql: string, ...more: string[]) => capture(queryCommand, [sql, '--store', store, '--csv', ...more]);
    for (const sql of [
      `COPY (SELECT 1) TO '${runs}'`,
      `COPY (SELECT 1) TO '${runs}' (USE_TMP_FILE false)`,
      "SELECT * FROM read_csv('/etc/hostname')",
      `ATTACH '${join(dir, 'x.db')}'`,
      'INSTALL httpfs',
      'SET enable_external_access = true',
    ]) {
      const r = await q(sql);
      expect(r.code, sql).toBe(2);
      expect(r.err, sql).toMatch(/disabled by configuration|configuration has been locked|Cannot enable external access/);
    }
    expect(readFileSync(runs, 'utf8')).toBe(before);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
    expect((await q("SELECT count(*) AS n FROM runs WHERE status = 'ok'")).out).toBe('n\n1\n');
    // An explicit export: only that file, and never one inside the store.
    const out = join(dir, 'export.csv');
    expect((await q(`COPY (SELECT status FROM runs) TO '${out}'`, '--allow-write', out)).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('status\nok\n');
    expect((await q(`COPY (SELECT 1) TO '${join(dir, 'other.csv')}'`, '--allow-write', out)).code).toBe(2);
    const inside = await q(`COPY (SELECT 1) TO '${runs}'`, '--allow-write', runs);
    expect(inside.code).toBe(2);
    expect(inside.err).toContain('--allow-write must name a file outside the store');
    expect(readFileSync(runs, 'utf8')).toBe(before);
    // …also when named through a link outside the store that leads into it (a new file in cache/ would be an entry).
    symlinkSync(store, join(dir, 'link'));
    const planted = join(dir, 'link', 'cache', `${'0'.repeat(64)}.json`);
    const linked = await q(`COPY (SELECT 1 AS key) TO '${planted}' (FORMAT json)`, '--allow-write', planted);
    expect(linked.code).toBe(2);
    expect(linked.err).toContain('--allow-write must name a file outside the store');
    expect(existsSync(planted)).toBe(false);
  });

  it('runs several statements in order and prints the last one’s rows; an empty query is a one-line error', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: q\nnodes:\n  a: { kind: t.value, params: { value: x } }\n');
    expect((await capture(runCommand, [file])).code).toBe(0);
    const q = (sql: string) => capture(queryCommand, [sql, '--store', join(dir, 'artifacts'), '--csv']);
    expect((await q('SELECT 1 AS a; SELECT 2 AS b')).out).toBe('b\n2\n');
    expect((await q('CREATE TABLE t AS SELECT 5 AS z; SELECT z + 1 AS y FROM t')).out).toBe('y\n6\n');
    const empty = await q(' ; ');
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/^pipe query: no SQL statement to run\n/);
    const bad = await q('SELECT 1; SELEC 2');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^pipe query: Parser Error: syntax error at or near "SELEC"/);
  });
});
