/**
 * Random bytes (and well-formed JSON with random values) in every kind of store file: run, plan, fsck, gc, audit and
 * query never crash, and the run still produces the right result.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcCommand } from '../../src/cli/commands/gc.js';
import { lsCommand } from '../../src/cli/commands/ls.js';
import { showCommand } from '../../src/cli/commands/show.js';
import { auditPipeline } from '../../src/engine/audit.js';
import { checkStore } from '../../src/engine/fsck.js';
import { planPipeline } from '../../src/engine/plan.js';
import { openStore } from '../../src/engine/store.js';
import { capture } from '../cli/capture.js';
import { load, run, tempDir, writePipeline } from './fixtures/helpers.js';

/** A small deterministic PRNG (mulberry32), so a failure names the seed that reproduces it. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY: readonly unknown[] = [null, 0, -1, 1e308, '', '../../../../etc/hostname', '/etc/passwd', 'a'.repeat(70), [], {}, [null], { path: '../x' }, true, 'pipe-tree/1'];

/** Random bytes, or a valid JSON document with one value (at any depth) replaced by something hostile. */
function garbage(rand: () => number, valid: string): string | Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const mode = rand();
  if (mode < 0.3) return Buffer.from(Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)));
  if (mode < 0.4) return valid.slice(0, Math.floor(rand() * valid.length)); // torn
  let doc: unknown;
  try {
    doc = JSON.parse(valid.split('\n')[0] as string);
  } catch {
    return valid;
  }
  if (mode < 0.5 || typeof doc !== 'object' || doc === null) return JSON.stringify(pick(NASTY));
  // Walk to a random node and replace it.
  let cur = doc as Record<string, unknown>;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(cur);
    if (keys.length === 0) break;
    const k = pick(keys);
    const next = cur[k];
    if (typeof next !== 'object' || next === null || rand() < 0.35) {
      cur[k] = pick(NASTY);
      break;
    }
    cur = next as Record<string, unknown>;
  }
  return JSON.stringify(doc) + (rand() < 0.5 ? '\n' : '');
}

const yaml = `name: f
nodes:
  a: { kind: t.value, params: { value: one } }
  d:
    kind: exec
    params: { argv: [sh, -c, 'mkdir "$PIPE_OUT/t"; printf x > "$PIPE_OUT/t/x"'] }
    outputs: [t]
  b: { kind: t.concat, inputs: { a: a.out } }
  c:
    kind: exec
    params: { argv: [sh, -c, 'cat "$PIPE_IN_t/x" > "$PIPE_OUT/o"'] }
    inputs: { t: d.t }
    outputs: [o]
`;

describe('fuzz: hostile bytes in every store file', () => {
  it('run, plan, fsck, gc, ls, show and audit never crash; the run still gets the right results', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml);
    const root = join(dir, 'artifacts');
    const first = await run(file);
    expect(first.ok).toBe(true);
    const store = openStore(root);
    const manifest = first.nodes[1]?.outputs?.t?.digest as string;
    const targets = (): string[] => [
      ...readdirSync(join(root, 'cache')).map((f) => join(root, 'cache', f)),
      ...readdirSync(join(root, 'last')).map((f) => join(root, 'last', f)),
      store.objectPath(manifest),
      ...readdirSync(join(root, 'meta')).filter((f) => f.endsWith('.jsonl')).map((f) => join(root, 'meta', f)),
      join(root, 'locks', 'run-20260101-dead.run'),
      join(root, 'locks', `${'0'.repeat(64)}.lock`),
      join(root, 'meta', 'tables', 'episodes.jsonl'),
    ];
    mkdirSync(join(root, 'meta', 'tables'), { recursive: true });
    writeFileSync(join(root, 'meta', 'tables', 'episodes.jsonl'), '{"run_id":"r","node_id":"a","x":1}\n');
    const rounds = 12;
    for (let seed = 1; seed <= rounds; seed++) {
      const rand = prng(seed);
      for (const path of targets()) {
        if (rand() < 0.5) continue;
        let valid = '{}';
        try {
          valid = readFileSync(path, 'utf8');
        } catch {
          /* new file */
        }
        writeFileSync(path, garbage(rand, valid));
      }
      const context = `seed ${seed}`;
      expect(() => planPipeline(load(file)), context).not.toThrow();
      const r = await run(file);
      expect(r.ok, `${context}: ${JSON.stringify(r.nodes.map((n) => [n.id, n.status, n.reason, n.failure]))}`).toBe(true);
      expect(readFileSync(openStore(root).objectPath(r.nodes[3]?.outputs?.o?.digest as string), 'utf8'), context).toBe('x');
      await expect(checkStore(openStore(root)), context).resolves.toBeDefined();
      for (const [command, args] of [
        [lsCommand, ['--store', root]],
        [showCommand, ['b', '--store', root]],
        [gcCommand, ['--store', root, '--dry-run']],
      ] as const) {
        const c = await capture(command, [...args]);
        expect([0, 1, 2], `${context}: ${args.join(' ')} → ${c.err}`).toContain(c.code);
        expect(c.err, context).not.toMatch(/^\s+at /m);
      }
    }
    await expect(auditPipeline(load(file), { only: new Set(['b']) })).resolves.toBeDefined();
    // Repair leaves a store that checks clean, and a run that serves from it. The planted lock and run marker go
    // first: a fresh lock file that cannot be read counts as held, and keeps repair off the record files.
    rmSync(join(root, 'locks', `${'0'.repeat(64)}.lock`), { force: true });
    rmSync(join(root, 'locks', 'run-20260101-dead.run'), { force: true });
    await checkStore(openStore(root), { repair: true });
    const after = await checkStore(openStore(root));
    expect(after.problems, JSON.stringify(after.problems)).toEqual([]);
  }, 120_000);
});
