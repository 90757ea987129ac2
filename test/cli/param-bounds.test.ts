/** Params and overrides are bounded and typed before use: located errors, exit 2, nothing written, nothing echoed whole. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fsckCommand } from '../../src/cli/commands/fsck.js';
import { planCommand } from '../../src/cli/commands/plan.js';
import { runCommand } from '../../src/cli/commands/run.js';
import { load, tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const exec = (extra = '') => `name: b\n${extra}nodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'printf hi > "$PIPE_OUT/o"'] }\n    outputs: [o]\n`;

describe('bounded, typed params and overrides', () => {
  it('array lengths and indexes out of range, NaN and Infinity: one located error each, exit 2, nothing written', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, exec());
    for (const [set, message] of [
      ['a.argv.length=100000000', "--set a.argv.length: 'argv.length' indexes a list of 3 items: use an index from 0 to 3"],
      ['a.argv.length=-1', "'argv.length' indexes a list of 3 items"],
      ['a.argv.99999999=x', "'argv.99999999' indexes a list of 3 items"],
      ['a.argv.1=.nan', '--set a.argv.1=.nan: not a finite number'],
      ['a.argv.1=1e400', '--set a.argv.1=1e400: not a finite number'],
      ['a.argv.1=-.inf', 'not a finite number'],
    ] as const) {
      const r = await capture(runCommand, [file, '--set', set]);
      expect(r.code, set).toBe(2);
      expect(r.err, set).toContain(message);
      expect(r.err, set).not.toMatch(/^\s+at /m);
    }
    for (const [top, where] of [
      ['seed: .nan\n', 'p.yaml:2:7'],
      ['seed: 1e400\n', 'p.yaml:2:7'],
    ] as const) {
      writePipeline(dir, exec(top));
      const r = await capture(planCommand, [file]);
      expect(r.code, top).toBe(2);
      expect(r.err, top).toContain(`${where}`);
      expect(r.err, top).toContain('not a finite number');
    }
    writePipeline(dir, 'name: b\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, x] }\n    matrix: { argv.length: [100000000] }\n    outputs: [o]\n');
    const m = await capture(planCommand, [file]);
    expect(m.code).toBe(2);
    expect(m.err).toContain("matrix axis 'argv.length' indexes a list of 3 items");
    expect(existsSync(join(dir, 'artifacts'))).toBe(false);
  });

  it('matrix values containing the id delimiters cannot give two instances one id', () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: m\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'true'], env: { A: x, B: y } }\n    matrix: { env.A: ['1,env.B=2', '1'], env.B: ['3', '2,env.B=3'] }\n    outputs: [o]\n`,
    );
    const ids = load(file).instances.map((i) => i.id);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toContain('a[env.A="1,env.B=2",env.B=3]');
    expect(ids).toContain('a[env.A=1,env.B="2,env.B=3"]');
  });

  it('a multi-megabyte argument is not echoed whole into stderr or the records', async () => {
    const dir = tempDir();
    // 1.9 MB in 19 arguments (one argument may not exceed 128 KiB, exec-arg-limits.test.ts): a command line that
    // starts and fails, whose log and failure would quote it whole.
    const big = Array(19).fill(`'${'x'.repeat(99_999)}'`).join(', ');
    const file = writePipeline(dir, `name: big\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'exit 3', ${big}] }\n    outputs: [o]\n`);
    const r = await capture(runCommand, [file]);
    expect(r.code).toBe(1);
    expect(r.err.length).toBeLessThan(40_000);
    expect(readFileSync(join(dir, 'artifacts', 'meta', 'node_runs.jsonl'), 'utf8').length).toBeLessThan(40_000);
    const huge = 'x'.repeat(2_000_000);
    const s = await capture(runCommand, [file, '--set', `a.argv.99=${huge}`]);
    expect(s.code).toBe(2);
    expect(s.err.length).toBeLessThan(2_000);
    const t = await capture(runCommand, [file, '--set', `a.argv.3=${huge}`]);
    expect(t.code).toBe(2);
    expect(t.err).toContain("param 'argv.3' is 2,000,001 bytes with its NUL, over Linux's limit of 131,072 bytes for one argument (MAX_ARG_STRLEN)");
    expect(t.err).toContain('(set by --set a.argv.3)');
    expect(t.err.length).toBeLessThan(2_000);
  });
});

describe('pipe fsck', () => {
  it('finds a corrupt object, a damaged entry, a bad tree and a torn record; --repair leaves a sound store that reruns', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: f\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'mkdir "$PIPE_OUT/t"; printf x > "$PIPE_OUT/t/x"; printf y > "$PIPE_OUT/o"'] }\n    outputs: [t, o]\n`);
    expect((await capture(runCommand, [file])).code).toBe(0);
    const store = join(dir, 'artifacts');
    expect((await capture(fsckCommand, ['--store', store])).out).toMatch(/^store is sound: 3 objects verified, 1 cache entries, \d+ record lines checked\n$/);
    const { openStore } = await import('../../src/engine/store.js');
    const { writeFileSync, chmodSync, readdirSync, appendFileSync } = await import('node:fs');
    const s = openStore(store);
    const entryFile = readdirSync(join(store, 'cache'))[0] as string;
    const entry = JSON.parse(readFileSync(join(store, 'cache', entryFile), 'utf8'));
    const t = await s.artifactPath(entry.outputs.t);
    chmodSync(join(t, 'x'), 0o644);
    writeFileSync(join(t, 'x'), 'edited');
    chmodSync(s.objectPath(entry.outputs.o.digest), 0o644);
    writeFileSync(s.objectPath(entry.outputs.o.digest), 'Y');
    appendFileSync(join(store, 'meta', 'runs.jsonl'), '{"torn');
    const r = await capture(fsckCommand, ['--store', store]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`objects/${entry.outputs.o.digest.slice(0, 2)}/${entry.outputs.o.digest}: does not hash to its name`);
    expect(r.out).toContain(`trees/${entry.outputs.t.digest}: does not match its manifest`);
    expect(r.out).toMatch(/meta\/runs\.jsonl:\d+: not a JSON line/);
    const fixed = await capture(fsckCommand, ['--store', store, '--repair']);
    expect(fixed.out).toContain('quarantined');
    expect((await capture(runCommand, [file])).code).toBe(0);
    const after = await capture(fsckCommand, ['--store', store]);
    expect(fixed.out).toMatch(/meta\/runs\.jsonl:\d+: not a JSON line \(skipped by readers\) — file rewritten without its 1 bad line/);
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/^store is sound: /);
  });
});
