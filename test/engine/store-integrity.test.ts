/**
 * Store integrity against a real store on disk: nodes cannot alter what they read, corrupt or crafted objects are
 * never served, store metadata cannot reach outside the store, and outputs never share an inode with a user's file.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/engine/canonical-json.js';
import { sha256 } from '../../src/engine/hash.js';
import { objects } from '../../src/engine/inventory.js';
import { planPipeline } from '../../src/engine/plan.js';
import { openStore } from '../../src/engine/store.js';
import { load, run, tempDir, writePipeline } from './fixtures/helpers.js';

const storeOf = (dir: string) => openStore(join(dir, 'artifacts'));
const text = (dir: string, digest: string | undefined): string => readFileSync(storeOf(dir).objectPath(digest as string), 'utf8');
/** Writes bytes as an object under their own digest, the way a tampered or copied store could hold them. */
function plantObject(dir: string, data: string): string {
  const digest = sha256(data);
  const path = storeOf(dir).objectPath(digest);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
  return digest;
}
function flipByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[0] = (bytes[0] as number) ^ 0x20;
  chmodSync(path, 0o644);
  writeFileSync(path, bytes);
}

const producer = `  a:
    kind: exec
    params: { argv: [sh, -c, 'printf hello > "$PIPE_OUT/f"; mkdir "$PIPE_OUT/d"; printf x > "$PIPE_OUT/d/x"'] }
    outputs: [f, d]
`;

describe('inputs are read-only to nodes (also as root)', () => {
  it('a node that rewrites its inputs changes neither the store nor a sibling’s inputs', async () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: t
nodes:
${producer}  evil:
    kind: exec
    params: { argv: [sh, -c, 'chmod -R u+w "$PIPE_IN_f" "$PIPE_IN_d"; printf HACKED > "$PIPE_IN_f"; touch "$PIPE_IN_d/extra"; printf y > "$PIPE_IN_d/x"; echo done > "$PIPE_OUT/o"'] }
    inputs: { f: a.f, d: a.d }
    outputs: [o]
  sibling:
    kind: exec
    params: { argv: [sh, -c, 'sleep 0.3; cat "$PIPE_IN_f" > "$PIPE_OUT/o"; ls "$PIPE_IN_d" >> "$PIPE_OUT/o"; cat "$PIPE_IN_d/x" >> "$PIPE_OUT/o"'] }
    inputs: { f: a.f, d: a.d }
    outputs: [o]
`,
    );
    const r = await run(file, { jobs: 3 });
    expect(r.status).toEqual({ a: 'ran', evil: 'ran', sibling: 'ran' });
    expect(text(dir, r.nodes[2]?.outputs?.o?.digest)).toBe('hellox\nx');
    const store = storeOf(dir);
    expect(text(dir, r.nodes[0]?.outputs?.f?.digest)).toBe('hello');
    expect(store.readManifest(r.nodes[0]?.outputs?.d?.digest as string).entries.map((e) => e.path)).toEqual(['x']);
    for (const o of objects(store)) expect(sha256(readFileSync(o.path))).toBe(o.digest);
    // A later node still gets the original bytes.
    const again = await run(file, { force: new Set(['sibling']) });
    expect(text(dir, again.nodes[2]?.outputs?.o?.digest)).toBe('hellox\nx');
  });
});

describe('outputs never share an inode with a file the node did not create', () => {
  it('a node that hard-links a user file into PIPE_OUT leaves the file as it was, and later edits do not reach the store', async () => {
    const dir = tempDir();
    const user = join(dir, 'mine.txt');
    writeFileSync(user, 'original');
    chmodSync(user, 0o644);
    const file = writePipeline(dir, `name: t\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'ln "${user}" "$PIPE_OUT/o"'] }\n    outputs: [o]\n`);
    const r = await run(file);
    expect(r.ok).toBe(true);
    expect(statSync(user).mode & 0o777).toBe(0o644);
    writeFileSync(user, 'edited later');
    expect(text(dir, r.nodes[0]?.outputs?.o?.digest)).toBe('original');
    expect(statSync(storeOf(dir).objectPath(r.nodes[0]?.outputs?.o?.digest as string)).nlink).toBe(1);
  });
});

describe('corrupt objects are never served', () => {
  const yaml = `name: t
nodes:
${producer}  b:
    kind: exec
    params: { argv: [sh, -c, 'cat "$PIPE_IN_f" "$PIPE_IN_d/x" > "$PIPE_OUT/o"'] }
    inputs: { f: a.f, d: a.d }
    outputs: [o]
`;
  it('a flipped byte is found before the consumer reads it: quarantined, producer recomputed, consumer gets good bytes', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml);
    const first = await run(file);
    const store = storeOf(dir);
    const f = first.nodes[0]?.outputs?.f?.digest as string;
    flipByte(store.objectPath(f));
    const logs: string[] = [];
    const r = await run(file, { force: new Set(['b']), onEvent: (e) => e.type === 'node-log' && logs.push(e.line) });
    expect(r.ok).toBe(true);
    expect(r.status).toEqual({ a: 'ran', b: 'ran' });
    expect(text(dir, r.nodes[1]?.outputs?.o?.digest)).toBe('hellox');
    expect(text(dir, f)).toBe('hello');
    expect(logs.some((l) => l.startsWith(`input f: object ${f.slice(0, 12)} does not hash to its name (corrupt): quarantined`))).toBe(true);
    expect(readdirSync(join(dir, 'artifacts', 'quarantine')).some((n) => n.startsWith(f))).toBe(true);
  });

  it('a corrupt file inside a folder input is found too, and the entries that used it are invalidated', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml);
    const first = await run(file);
    const store = storeOf(dir);
    const d = first.nodes[0]?.outputs?.d?.digest as string;
    const x = store.readManifest(d).entries.find((e) => e.type === 'file');
    flipByte(store.objectPath((x as { digest: string }).digest));
    const bKey = first.nodes[1]?.key as string;
    // Any consumer that has to run finds it; b's old entry (which took the folder as input) is invalidated.
    const r = await run(file, { force: new Set(['b']) });
    expect(r.status).toEqual({ a: 'ran', b: 'ran' });
    expect(text(dir, r.nodes[1]?.outputs?.o?.digest)).toBe('hellox');
    const log = readFileSync(join(dir, 'artifacts', 'quarantine', 'log.jsonl'), 'utf8');
    expect(JSON.parse(log.trim().split('\n')[0] as string)).toMatchObject({ artifact: d, problem: 'corrupt', invalidated: [bKey] });
  });

  it('a missing object makes its producer recompute instead of failing the consumer', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, yaml);
    const first = await run(file);
    const { rmSync } = await import('node:fs');
    rmSync(storeOf(dir).objectPath(first.nodes[0]?.outputs?.f?.digest as string));
    const r = await run(file, { force: new Set(['b']) });
    expect(r.status).toEqual({ a: 'ran', b: 'ran' });
  });
});

describe('store metadata cannot reach outside the store', () => {
  it('a manifest with a ../ path (named by its own digest) is refused, nothing is written outside, the producer recomputes', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}  b:\n    kind: exec\n    params: { argv: [sh, -c, 'ls -R "$PIPE_IN_d" > "$PIPE_OUT/o"'] }\n    inputs: { d: a.d }\n    outputs: [o]\n`);
    const first = await run(file);
    const store = storeOf(dir);
    const x = plantObject(dir, 'escaped');
    const evil = plantObject(dir, canonicalJson({ format: 'pipe-tree/1', entries: [{ path: '../../../../../../ESCAPED', type: 'file', digest: x, size: 7, executable: false }] }));
    const aKey = first.nodes[0]?.key as string;
    const entryPath = store.entryPath(aKey);
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
    entry.outputs.d.digest = evil;
    writeFileSync(entryPath, JSON.stringify(entry));
    await expect(store.checkout({ digest: evil, type: 'dir', size: 7 }, join(dir, 'out'))).rejects.toThrow(`manifest ${evil.slice(0, 12)} is damaged`);
    expect(store.damage()).toEqual([{ file: `objects/${evil.slice(0, 2)}/${evil}`, problem: 'entry 0: path is not relative inside the tree' }]);
    const r = await run(file, { force: new Set(['b']) });
    expect(r.status).toEqual({ a: 'ran', b: 'ran' });
    expect(text(dir, r.nodes[1]?.outputs?.o?.digest)).toMatch(/^.*:\nx\n$/);
    expect(existsSync('/ESCAPED')).toBe(false);
    expect(existsSync(join(dir, 'ESCAPED'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a manifest where a file is also a folder of another entry is damage, not a half-made checkout', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}  b:\n    kind: exec\n    params: { argv: [sh, -c, 'ls -R "$PIPE_IN_d" > "$PIPE_OUT/o"'] }\n    inputs: { d: a.d }\n    outputs: [o]\n`);
    const first = await run(file);
    const store = storeOf(dir);
    const x = plantObject(dir, 'x');
    const file1 = { type: 'file', digest: x, size: 1, executable: false };
    const evil = plantObject(dir, canonicalJson({ format: 'pipe-tree/1', entries: [{ path: 'a', ...file1 }, { path: 'a/b', ...file1 }] }));
    const entryPath = store.entryPath(first.nodes[0]?.key as string);
    const entry = JSON.parse(readFileSync(entryPath, 'utf8'));
    entry.outputs.d.digest = evil;
    writeFileSync(entryPath, JSON.stringify(entry));
    await expect(store.checkout({ digest: evil, type: 'dir', size: 2 }, join(dir, 'out'))).rejects.toThrow(`manifest ${evil.slice(0, 12)} is damaged`);
    expect(store.damage()[0]?.problem).toBe("entry 1: 'a/b' is inside 'a', which is a file");
    const r = await run(file, { force: new Set(['b']) });
    expect(r.status).toEqual({ a: 'ran', b: 'ran' });
  });

  it('a record whose node id or pipeline name would drive a terminal (ESC, bidi override) is damage, never listed', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}`);
    await run(file);
    const store = storeOf(dir);
    const [last] = store.lastKeys();
    const lastFile = readdirSync(join(dir, 'artifacts', 'last'))[0] as string;
    for (const [field, value] of [['nodeId', 'a\u001b]0;owned\u0007'], ['nodeId', 'a\u202eb'], ['pipeline', 't\u001b[2J']] as const) {
      writeFileSync(join(dir, 'artifacts', 'last', lastFile), JSON.stringify({ ...last, [field]: value }));
      const fresh = storeOf(dir);
      expect(fresh.lastKeys()).toEqual([]);
      expect(fresh.damage()[0]?.problem).toMatch(/is not a (node instance id|pipeline name)/);
    }
  });

  it('a digest that is a path (../../etc/hostname) is damage: reported with its file, the entry ignored, the node recomputed', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}`);
    const first = await run(file);
    const store = storeOf(dir);
    const key = first.nodes[0]?.key as string;
    const entry = JSON.parse(readFileSync(store.entryPath(key), 'utf8'));
    entry.outputs.f.digest = '../../../../etc/hostname';
    writeFileSync(store.entryPath(key), JSON.stringify(entry));
    expect(store.readEntry(key)).toBeUndefined();
    expect(store.damage()).toEqual([{ file: `cache/${key}.json`, problem: "output 'f' is not {digest: 64 hex digits, type: file|dir, size}" }]);
    const r = await run(file);
    expect(r.status).toEqual({ a: 'ran' });
    expect(text(dir, r.nodes[0]?.outputs?.f?.digest)).toBe('hello');
  });

  it('a cache entry of {} or null, or a last-key file of garbage, is no crash for run or plan', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}`);
    const first = await run(file);
    const store = storeOf(dir);
    const key = first.nodes[0]?.key as string;
    for (const bad of ['{}', 'null', '[1,2]', '{"key":"' + key + '"}', '\u0000\u00ff']) {
      writeFileSync(store.entryPath(key), bad);
      for (const f of readdirSync(join(dir, 'artifacts', 'last'))) writeFileSync(join(dir, 'artifacts', 'last', f), bad);
      expect(planPipeline(load(file))[0]?.status).toBe('run');
      const r = await run(file);
      expect(r.status).toEqual({ a: 'ran' });
    }
  });
});

describe('records', () => {
  it('a JSONL record cut mid-line does not swallow the next row', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: t\nnodes:\n${producer}`);
    await run(file);
    const runs = join(dir, 'artifacts', 'meta', 'runs.jsonl');
    writeFileSync(runs, readFileSync(runs, 'utf8') + '{"run_id":"torn","pipel');
    const r = await run(file);
    const lines = readFileSync(runs, 'utf8').split('\n');
    expect(lines).toContain('{"run_id":"torn","pipel');
    expect(lines.filter((l) => l.includes(r.runId)).map((l) => JSON.parse(l).status)).toEqual(['running', 'ok']);
  });
});
