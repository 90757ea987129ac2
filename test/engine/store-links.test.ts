/**
 * A store is untrusted input down to its file types: any name in it may be a symbolic link (to a home directory, to
 * /dev/zero) or a FIFO. Against a real store on disk: gc, fsck, plan and run never delete, write or read anything
 * outside the store through one, and never hang on one.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../../src/engine/fsck.js';
import { collectGarbage } from '../../src/engine/gc.js';
import { planPipeline } from '../../src/engine/plan.js';
import { openStore, StoreDamage } from '../../src/engine/store.js';
import { load, run, tempDir, writePipeline } from './fixtures/helpers.js';

const yaml = `name: t
nodes:
  a:
    kind: exec
    params: { argv: [sh, -c, 'printf hello > "$PIPE_OUT/f"'] }
    outputs: [f]
  b:
    kind: exec
    inputs: { f: a.f }
    params: { argv: [sh, -c, 'cat "$PIPE_IN_f" > "$PIPE_OUT/o"; echo log line'] }
    outputs: [o]
`;

let base: string;
beforeAll(async () => {
  base = tempDir();
  expect((await run(writePipeline(base, yaml))).ok).toBe(true);
});

/** A copy of the base pipeline and its store, and a user folder beside it that nothing may touch. */
function copy(): { dir: string; file: string; store: string; victim: string } {
  const dir = tempDir();
  cpSync(base, dir, { recursive: true });
  const victim = join(dir, 'victim');
  mkdirSync(join(victim, 'sub'), { recursive: true });
  writeFileSync(join(victim, 'notes.txt'), 'precious');
  writeFileSync(join(victim, 'sub', 'more.txt'), 'precious');
  return { dir, file: join(dir, 'p.yaml'), store: join(dir, 'artifacts'), victim };
}
const untouched = (victim: string): void => {
  expect(readdirSync(victim).sort()).toEqual(['notes.txt', 'sub']);
  expect(readFileSync(join(victim, 'notes.txt'), 'utf8')).toBe('precious');
  expect(readFileSync(join(victim, 'sub', 'more.txt'), 'utf8')).toBe('precious');
};
const replaceWith = (path: string, make: (path: string) => void): void => {
  rmSync(path, { recursive: true, force: true });
  make(path);
};
const fifo = (path: string): void => void execFileSync('mkfifo', [path]);

describe('a folder of the store that is a link', () => {
  it.each(['tmp', 'logs', 'trees', 'resume', 'locks', 'cache'])('%s → a user folder: gc deletes nothing there, run and fsck refuse it', async (folder) => {
    const { file, store, victim } = copy();
    replaceWith(join(store, folder), (p) => symlinkSync(victim, p));
    await expect(collectGarbage(openStore(store))).rejects.toBeInstanceOf(StoreDamage);
    untouched(victim);
    await expect(run(file)).rejects.toThrow(/symbolic link/);
    const fsck = await checkStore(openStore(store), { repair: true });
    expect(fsck.problems.map((p) => p.file)).toEqual([folder]);
    untouched(victim);
  });
});

describe('files of the store that are links, FIFOs or devices', () => {
  it('a log, a record file and a temp-file name that link to user files: the run writes none of them', async () => {
    const { file, store, victim } = copy();
    const notes = join(victim, 'notes.txt');
    const log = readdirSync(join(store, 'logs')).find((f) => f.startsWith('b-')) as string;
    replaceWith(join(store, 'logs', log), (p) => symlinkSync(notes, p));
    replaceWith(join(store, 'meta', 'node_runs.jsonl'), (p) => symlinkSync(join(victim, 'sub', 'more.txt'), p));
    for (let i = 0; i < 50; i++) symlinkSync(notes, join(store, 'tmp', `${process.pid}-${i}.json`));
    const r = await run(file, { force: new Set(['b']) });
    expect(r.status).toEqual({ a: 'cached', b: 'ran' });
    expect(r.warnings.join('\n')).toMatch(/node_runs\.jsonl.*symbolic link/);
    untouched(victim);
    expect(readFileSync(join(store, 'logs', log), 'utf8')).toContain('log line');
  });

  it('an object that is a FIFO, a link to /dev/zero or a folder is never read: the producer recomputes, fsck names it', async () => {
    const folder = (p: string): void => {
      mkdirSync(p);
      writeFileSync(join(p, 'x'), 'y');
    };
    for (const make of [fifo, (p: string) => symlinkSync('/dev/zero', p), folder]) {
      const { file, store } = copy();
      const s = openStore(store);
      const entry = s.readEntry(s.lastKeys().find((l) => l.nodeId === 'a')?.key as string);
      const object = s.objectPath(entry?.outputs.f?.digest as string);
      replaceWith(object, make);
      const fsck = await checkStore(openStore(store));
      expect(fsck.problems.map((p) => p.file)).toContain(object.slice(store.length + 1));
      const r = await run(file, { force: new Set(['b']) });
      expect(r.status).toEqual({ a: 'ran', b: 'ran' });
      expect(readFileSync(object, 'utf8')).toBe('hello');
    }
  });

  it('a cache entry, a last-key record, a lock, a run marker and runs.jsonl that are FIFOs or /dev/zero: no hang, no crash', async () => {
    const { file, store } = copy();
    const s = openStore(store);
    const [first, second] = s.entryKeys();
    replaceWith(s.entryPath(first as string), fifo);
    replaceWith(s.entryPath(second as string), (p) => symlinkSync('/dev/zero', p));
    const last = readdirSync(join(store, 'last'))[0] as string;
    replaceWith(join(store, 'last', last), fifo);
    fifo(join(store, 'locks', `${'0'.repeat(64)}.lock`));
    fifo(join(store, 'locks', 'run-dead.run'));
    mkdirSync(join(store, 'pins'));
    fifo(join(store, 'pins', `${'0'.repeat(64)}.json`));
    replaceWith(join(store, 'meta', 'runs.jsonl'), fifo);
    expect(planPipeline(load(file)).length).toBe(2);
    const fsck = await checkStore(openStore(store));
    expect(fsck.problems.length).toBeGreaterThanOrEqual(4);
    expect((await collectGarbage(openStore(store), { dryRun: true })).keptEntries).toBeGreaterThanOrEqual(0);
    const r = await run(file);
    expect(r.ok).toBe(true);
    expect(existsSync(join(store, 'meta', 'node_runs.jsonl'))).toBe(true);
  }, 30_000);

  it('resume state holding a link is discarded before a node writes its checkpoint through it', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim');
    mkdirSync(victim);
    const file = writePipeline(dir, 'name: r\nnodes:\n  a: { kind: t.resumable }\n');
    expect((await run(file)).status).toEqual({ a: 'failed' }); // crashes halfway, leaving resume/<key>/ckpt
    const store = openStore(join(dir, 'artifacts'));
    const [key] = readdirSync(join(dir, 'artifacts', 'resume'));
    replaceWith(join(store.resumePath(key as string), 'ckpt'), (p) => symlinkSync(join(victim, 'planted'), p));
    expect((await run(file)).status).toEqual({ a: 'failed' }); // no checkpoint any more: starts over, crashes again
    expect(readdirSync(victim)).toEqual([]);
    expect(readFileSync(join(store.resumePath(key as string), 'ckpt'), 'utf8')).toBe('half');
  });
});
