import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { lsCommand } from '../../src/cli/commands/ls.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { openStore } from '../../src/engine/store.js';
import { objects } from '../../src/engine/inventory.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const yaml = (v: string) => `name: s\nnodes:\n  a: { kind: t.value, params: { value: ${v} } }\n  b: { kind: t.concat, inputs: { a: a.out } }\n  r: { kind: t.report }\n`;

describe('pipe gc', () => {
  it('deletes only what no last result references, and says what and how much', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    const store = join(dir, 'artifacts');
    await capture(runCommand, [file]);
    writePipeline(dir, yaml('two'));
    await capture(runCommand, [file]);
    const before = objects(openStore(store)).length;
    const dry = await capture(gcCommand, ['--store', store, '--dry-run']);
    expect(dry.code).toBe(0);
    // The old a and b entries and the one object only they used ("one"; b's output equals a's) go.
    expect(dry.out).toMatch(
      /^would delete 2 superseded results:\n {2}s \/ [ab] +\d+ s old {2}key [0-9a-f]{12} {2}\(keep it: pipe keep --key [0-9a-f]{12}\)\n {2}s \/ [ab] +\d+ s old {2}key [0-9a-f]{12} {2}\(keep it: pipe keep --key [0-9a-f]{12}\)\nwould delete 1 objects \(5 B\)\nwould delete 2 logs \(0 B\)\nwould delete [\d.]+ (B|KiB) in total; kept 3 cache entries, 4 objects\n$/,
    );
    expect(objects(openStore(store)).length).toBe(before);
    const real = await capture(gcCommand, ['--store', store]);
    expect(real.out).toContain('deleted 1 objects (5 B)');
    expect(objects(openStore(store)).length).toBe(before - 1);
    // Nothing the current pipeline needs was deleted: a rerun is fully cached, and a second gc finds nothing.
    const again = JSON.parse((await capture(runCommand, [file, '--json'])).out) as { nodes: { status: string }[] };
    expect(again.nodes.map((n) => n.status)).toEqual(['cached', 'cached', 'cached']);
    expect((await capture(gcCommand, ['--store', store])).out).toBe('nothing to delete; kept 3 cache entries, 4 objects\n');
  });
});

describe('pipe ls / show', () => {
  it('lists nodes with status and outputs; shows key components, outputs and history', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    const store = join(dir, 'artifacts');
    await capture(runCommand, [file]);
    writePipeline(dir, yaml('two'));
    const ls = await capture(lsCommand, [file, '--json']);
    const rows = (JSON.parse(ls.out) as { nodes: { node: string; status: string; outputs: unknown[] }[] }).nodes;
    expect(rows.map((r) => [r.node, r.status])).toEqual([['a', 'stale'], ['b', 'pending'], ['r', 'cached']]);
    expect(rows[2]?.outputs).toEqual([{ name: 'dir', type: 'dir', size: 12 }]);
    const all = await capture(lsCommand, ['--store', store]);
    expect(all.out).toMatch(/^s:\n {2}a {2}stored {3}[0-9a-f]{12} {2}out 5 B\n {2}b {2}stored/);
    await capture(runCommand, [file]);
    const show = await capture(showCommand, ['a', '--store', store]);
    expect(show.out).toContain('s / a\nkey        ');
    expect(show.out).toContain('kind       t.value\n');
    expect(show.out).toContain('params     {"value":"two"}\n');
    expect(show.out).toMatch(/history\n.* ran .* no previous run\n.* ran .* params.value: one → two\n$/);
    expect(show.out).toMatch(/\ncode       [0-9a-f]{16} {2}\(\d+ files; --json lists them\)\n/);
    expect(show.out).toMatch(new RegExp(`\\nlog {8}${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/logs/a-[0-9a-f]{12}\\.log {2}\\(empty\\)\\n`));
    // The last value of each metric: t.report logs loss 1, 0.5 at steps 0, 1.
    expect((await capture(showCommand, ['r', '--store', store])).out).toContain('\nmetrics    loss 0.5 (step 1)\n');
    const json = JSON.parse((await capture(showCommand, ['b', '--store', store, '--json'])).out) as { components: { inputs: unknown }; history: unknown[] };
    expect(json.components.inputs).toEqual({ a: { from: 'a.out', digest: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(json.history).toHaveLength(2);
    const missing = await capture(showCommand, ['zz', '--store', store]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no results for node 'zz'");
  });
});

describe('pipe audit', () => {
  it('passes on a reproducible pipeline; reports a corrupt object and a nondeterministic node; exit 1', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    const store = join(dir, 'artifacts');
    await capture(runCommand, [file]);
    const ok = await capture(auditCommand, [file]);
    expect(ok.code).toBe(0);
    expect(ok.out).toBe('audit passed: 3 nodes reproduced, 0 mismatched, 0 not cached; 4 objects verified, 0 corrupt\n');
    // Corrupt one object in place.
    const victim = objects(openStore(store)).find((o) => o.size === 5);
    chmodSync(victim?.path as string, 0o644);
    writeFileSync(victim?.path as string, 'evil!');
    const bad = await capture(auditCommand, [file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`corrupt object ${victim?.digest}\n`);
    expect(bad.out).toContain('audit FAILED');
  });

  it('shows the progress of a node it re-executes, as a run does', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: p\nnodes:\n  nap:\n    kind: t.slow\n    params: { ms: 50 }\n`);
    await capture(runCommand, [file]);
    const r = await capture(auditCommand, [file]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^\[audit\] nap: re-executing with the cache off\n(.*\n)*\[nap\] 1\/1 naps \(.*\)\n\[ok\] nap\n$/);
  });

  it('detects a node whose output is not reproducible', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: nd\nnodes:\n  clock:\n    kind: exec\n    params: { argv: [node, -e, 'require("fs").writeFileSync(process.env.PIPE_OUT + "/t", String(process.hrtime.bigint()))'] }\n    outputs: [t]\n`);
    await capture(runCommand, [file]);
    const r = await capture(auditCommand, [file, '--node', 'clock']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\[audit\] clock: re-executing with the cache off\n\[mismatch\] clock\n {2}output t: stored [0-9a-f]{12}, recomputed [0-9a-f]{12}\n$/);
    expect(existsSync(join(dir, 'artifacts', 'tmp')) && readdirSync(join(dir, 'artifacts', 'tmp')).length).toBe(0);
  });

  it('compares nondeterministic kinds by metric tolerance instead of bytes', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: n\nnodes:\n  small: { kind: t.noisy, params: { jitter: 0.0001 } }\n  big: { kind: t.noisy, params: { jitter: 0.5 } }\n');
    await capture(runCommand, [file]);
    const r = await capture(auditCommand, [file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^\[audit\] small: re-executing with the cache off\n\[ok\] small\n\[audit\] big: re-executing with the cache off\n\[mismatch\] big\n {2}metric loss step 0: stored [\d.]+, recomputed [\d.]+ \(relative difference [\d.e+-]+ > 0\.01\)\n$/);
  });
});

describe('gc safety', () => {
  it('refuses while a run is in progress on the store', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml('one'));
    await capture(runCommand, [file]);
    const store = join(dir, 'artifacts');
    writeFileSync(join(store, 'locks', 'run-x.run'), JSON.stringify({ pid: process.pid, runId: 'x', pipeline: 's' }));
    const r = await capture(gcCommand, ['--store', store]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`pipe gc: a run is in progress on this store (pid ${process.pid}); try again when it ends\n`);
  });
});

describe('pipe ls --kinds', () => {
  it('lists the library kinds, one line each with its description', async () => {
    const r = await capture(lsCommand, ['--kinds']);
    expect(r.out).toMatch(/^t\.concat +concatenates its inputs$/m);
    expect(r.out).toMatch(/^exec +Run a command \(argv array, no shell unless asked\); it writes each declared output into \$PIPE_OUT$/m);
  });
});
