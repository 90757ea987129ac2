import { readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { counts, probeStats, runs } from './fixtures/kinds.js';
import { existsSync } from 'node:fs';
import { load, run, tempDir, writePipeline } from './fixtures/helpers.js';
import { openStore } from '../../src/engine/store.js';
import { planPipeline } from '../../src/engine/plan.js';
import { checkStore } from '../../src/engine/fsck.js';
import { collectGarbage } from '../../src/engine/gc.js';

const chain = (value: string, upper = false, note = '') => `
name: chain
nodes:
  a:
    kind: t.value
    params: { value: ${value} }
  b:
    kind: t.concat
    params: { upper: ${upper}${note ? `, note: ${note}` : ''} }
    inputs: { a: a.out }
  c:
    kind: t.concat
    inputs: { a: b.out, b: a.out }
`;

describe('cache: execution counts', () => {
  beforeEach(() => counts.clear());

  it('run → 1, rerun → 1, edit → 2', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, chain('"x"'));
    const first = await run(file);
    expect(first.ok).toBe(true);
    expect(first.status).toEqual({ a: 'ran', b: 'ran', c: 'ran' });
    expect([runs('a'), runs('b'), runs('c')]).toEqual([1, 1, 1]);

    const second = await run(file);
    expect(second.status).toEqual({ a: 'cached', b: 'cached', c: 'cached' });
    expect([runs('a'), runs('b'), runs('c')]).toEqual([1, 1, 1]);

    writePipeline(dir, chain('"y"'));
    const third = await run(file);
    expect(third.status).toEqual({ a: 'ran', b: 'ran', c: 'ran' });
    expect([runs('a'), runs('b'), runs('c')]).toEqual([2, 2, 2]);
    const c = third.nodes.find((n) => n.id === 'c');
    expect(readFileSync(openStore(join(dir, 'artifacts')).objectPath(c?.outputs?.out?.digest as string), 'utf8')).toBe('"y"+"y"');
  });

  it('early cutoff: an edit that leaves the output byte-identical keeps dependents cached', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, chain('"x"'));
    await run(file);
    // `note` changes b's key but not its output.
    writePipeline(dir, chain('"x"', false, 'hello'));
    const r = await run(file);
    expect(r.status).toEqual({ a: 'cached', b: 'ran', c: 'cached' });
    expect([runs('a'), runs('b'), runs('c')]).toEqual([1, 2, 1]);
    // An edit that does change b's output reruns c.
    writePipeline(dir, chain('"x"', true, 'hello'));
    const r2 = await run(file);
    expect(r2.status).toEqual({ a: 'cached', b: 'ran', c: 'ran' });
    expect(runs('c')).toBe(2);
  });

  it('--force reruns one node; --only runs a node and its ancestors', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, chain('"x"'));
    const only = await run(file, { only: new Set(['b', 'a']) });
    expect(only.status).toEqual({ a: 'ran', b: 'ran' });
    expect(runs('c')).toBe(0);
    const forced = await run(file, { force: new Set(['a']) });
    expect(forced.status).toEqual({ a: 'ran', b: 'cached', c: 'ran' });
    expect(forced.nodes[0]?.reason).toBe('forced (--force)');
    expect([runs('a'), runs('b'), runs('c')]).toEqual([2, 1, 1]);
  });

  it('--set overrides a param without editing the file (value parsed as YAML)', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, chain('"x"'));
    await run(file);
    const r = await run(file, { overrides: ['b.upper=true'] });
    expect(r.status).toEqual({ a: 'cached', b: 'ran', c: 'ran' });
    const again = await run(file, { overrides: ['b.upper=true'] });
    expect(again.status).toEqual({ a: 'cached', b: 'cached', c: 'cached' });
  });

  it('file params: contents are part of the key, paths are relative to the pipeline file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tpl.txt'), 'v1');
    const file = writePipeline(dir, 'name: f\nnodes:\n  a: { kind: t.value, params: { file: tpl.txt } }\n');
    expect((await run(file)).status).toEqual({ a: 'ran' });
    expect((await run(file)).status).toEqual({ a: 'cached' });
    writeFileSync(join(dir, 'tpl.txt'), 'v2');
    const r = await run(file);
    expect(r.status).toEqual({ a: 'ran' });
    expect(r.nodes[0]?.reason).toBe('params.file: tpl.txt changed');
    expect(load(file).instances[0]?.params.file).toBe(join(dir, 'tpl.txt'));
  });

  it('matrix instances that share a cache key share work', async () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: m
nodes:
  a:
    kind: t.value
    params: { value: same }
    matrix: { n: [1, 2] }
  b:
    kind: t.concat
    inputs: { a: a.out }
`,
    );
    const r = await run(file);
    expect([r.status['a[n=1]'], r.status['a[n=2]']]).toEqual(['ran', 'ran']);
    // Whichever b instance gets there first runs; the other is served by it.
    const bs = r.nodes.filter((n) => n.id.startsWith('b['));
    expect(bs.map((n) => n.status).sort()).toEqual(['cached', 'ran']);
    const ran = bs.find((n) => n.status === 'ran');
    // Served while running ("same key as …") or after it finished (a plain cache hit): either way, no rerun.
    expect(['cache hit', `same key as ${ran?.id}`]).toContain(bs.find((n) => n.status === 'cached')?.reason);
    expect(runs('b[n=1]') + runs('b[n=2]')).toBe(1);
  });

  it('matrix: a dependent is expanded along its input axes; instances with equal keys run once', async () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: m
nodes:
  a:
    kind: t.value
    matrix: { value: [1, 2] }
  b:
    kind: t.concat
    matrix: { upper: [false, true] }
    inputs: { a: a.out }
  c:
    kind: t.value
    matrix: { n: [1, 2] }
    params: { value: same }
`,
    );
    const r = await run(file);
    expect(Object.keys(r.status)).toEqual([
      'a[value=1]', 'a[value=2]',
      'b[value=1,upper=false]', 'b[value=1,upper=true]', 'b[value=2,upper=false]', 'b[value=2,upper=true]',
      'c[n=1]', 'c[n=2]',
    ]);
    expect(Object.values(r.status).every((s) => s === 'ran')).toBe(true);
  });

  it('a failed node is reported with its log tail; dependents are skipped; --keep-going runs independent nodes', async () => {
    const dir = tempDir();
    const file = writePipeline(
      dir,
      `name: f
nodes:
  bad: { kind: t.fail, params: { message: kaput } }
  after: { kind: t.concat, inputs: { a: bad.out } }
  other: { kind: t.slow, params: { ms: 50 } }
`,
    );
    const r = await run(file, { keepGoing: true });
    expect(r.ok).toBe(false);
    expect(r.status).toEqual({ bad: 'failed', after: 'skipped', other: 'ran' });
    const bad = r.nodes[0];
    expect(bad?.reason).toBe('kaput');
    expect(bad?.failure).toEqual({ type: 'node-failed', message: 'kaput', logTail: ['about to fail'] });
    expect(r.nodes[1]?.reason).toBe("upstream 'bad' failed");
  });

  it('without --keep-going a failure cancels running siblings', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: f\nnodes:\n  bad: { kind: t.fail }\n  long: { kind: t.slow, params: { ms: 5000 } }\n');
    const t0 = Date.now();
    const r = await run(file, { jobs: 2 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.status).toEqual({ bad: 'failed', long: 'skipped' });
    expect(r.nodes[1]?.reason).toBe("cancelled: 'bad' failed");
  });

  it('a directory output is stored as a manifest and restored as a read-only tree', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: d\nnodes:\n  r: { kind: t.report, params: { n: 3 } }\n  cat: { kind: exec, params: { argv: [sh, -c, \'cat "$PIPE_IN_d"/sub/*.txt > "$PIPE_OUT/all"\'] }, inputs: { d: r.dir }, outputs: [all] }\n');
    const r = await run(file);
    expect(r.status).toEqual({ r: 'ran', cat: 'ran' });
    const store = openStore(join(dir, 'artifacts'));
    expect(readFileSync(store.objectPath(r.nodes[1]?.outputs?.all?.digest as string), 'utf8')).toBe('file 0file 1file 2');
    expect(r.nodes[0]?.outputs?.dir?.type).toBe('dir');
    expect(r.nodes[0]?.outputs?.dir?.size).toBe(18);
  });

  it('a cached node whose objects were deleted is recomputed, not served', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, chain('"x"'));
    await run(file);
    const objects = join(dir, 'artifacts', 'objects');
    for (const sub of readdirSync(objects)) rmSync(join(objects, sub), { recursive: true });
    const r = await run(file);
    // a's rerun republishes the bytes b's entry points at ("x" both), so b is served; c must recompute.
    expect(r.status).toEqual({ a: 'ran', b: 'cached', c: 'ran' });
    expect(r.nodes[0]?.reason).toBe('stored outputs missing (deleted or corrupt); recomputing');
  });

  it('resource slots: --jobs caps CPU nodes, a gpu node never shares the GPU slot', async () => {
    const dir = tempDir();
    const nodes = (res: string) => Array.from({ length: 6 }, (_, i) => `  p${i}: { kind: t.probe, params: { i: ${i} }${res} }`).join('\n');
    probeStats.max = 0;
    await run(writePipeline(dir, `name: r\nnodes:\n${nodes('')}\n`), { jobs: 2 });
    expect(probeStats.max).toBe(2);
    probeStats.max = 0;
    await run(writePipeline(tempDir(), `name: r\nnodes:\n${nodes(', resources: { gpu: 1, cpu: 0 }')}\n`), { jobs: 4, gpus: 1 });
    expect(probeStats.max).toBe(1);
  });

  it('ctx.cpus is the CPU slots the node declares (its thread budget)', async () => {
    probeStats.cpus = [];
    const yaml = 'name: r\nnodes:\n  a: { kind: t.probe, params: { i: 1 } }\n  b: { kind: t.probe, params: { i: 2 }, resources: { cpu: 3 } }\n';
    await run(writePipeline(tempDir(), yaml), { jobs: 4 });
    expect(probeStats.cpus.sort()).toEqual([1, 3]);
  });

  it('ctx.resumeDir survives a failed attempt and is removed after success', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: r\nnodes:\n  r: { kind: t.resumable }\n');
    const first = await run(file);
    expect(first.status).toEqual({ r: 'failed' });
    const second = await run(file);
    expect(second.status).toEqual({ r: 'ran' });
    expect(second.nodes[0]?.reason).toBe('previous attempt failed: crashed halfway; resuming from its saved state');
    const store = openStore(join(dir, 'artifacts'));
    expect(readFileSync(store.objectPath(second.nodes[0]?.outputs?.out?.digest as string), 'utf8')).toBe('resumed');
    expect(existsSync(store.resumePath(second.nodes[0]?.key as string))).toBe(false);
  });

  it('after a failed exec attempt the next run says it failed and how, and that it reruns (nothing to resume)', async () => {
    const dir = tempDir();
    const mark = join(dir, 'ok');
    const file = writePipeline(dir, `name: f\nnodes:\n  e:\n    kind: exec\n    params: { argv: [sh, -c, 'test -e "$MARK" || exit 3; printf x > "$PIPE_OUT/o"'], env: { MARK: '${mark}' } }\n    outputs: [o]\n`);
    const first = await run(file);
    expect(first.status).toEqual({ e: 'failed' });
    const starts: string[] = [];
    const failedAgain = await run(file, { onEvent: (e) => e.type === 'node-start' && starts.push(e.reason) });
    expect(failedAgain.status).toEqual({ e: 'failed' });
    expect(starts).toEqual(['previous attempt failed: command sh failed: exit code 3; rerunning']);
    expect(planPipeline(load(file))[0]?.reason).toBe('previous attempt failed: command sh failed: exit code 3; rerunning');
    // A note is store state like a resume directory: fsck checks it, gc collects it with its key.
    const store = openStore(join(dir, 'artifacts'));
    expect((await checkStore(store)).problems).toEqual([]);
    expect((await collectGarbage(store, { dryRun: true })).items.filter((i) => i.what === 'failure')).toHaveLength(1);
    writeFileSync(mark, '');
    const fixed = await run(file);
    expect(fixed.status).toEqual({ e: 'ran' });
    expect(fixed.nodes[0]?.reason).toBe('previous attempt failed: command sh failed: exit code 3; rerunning');
    // The note goes with the attempt that succeeds: nothing is left to explain once the key is cached.
    expect(readdirSync(join(dir, 'artifacts', 'failures'))).toEqual([]);
    expect((await run(file)).nodes[0]?.reason).toBe('cache hit');
  });

  it('a gathered input (node[*].output) collects every matrix instance into one directory', async () => {
    const dir = tempDir();
    const yaml = (values: string) => `name: g
nodes:
  a:
    kind: t.value
    matrix: { value: [${values}] }
  all:
    kind: exec
    params: { argv: [sh, -c, 'for f in $(ls "$PIPE_IN_runs"); do printf "%s:%s;" "$f" "$(cat "$PIPE_IN_runs/$f")"; done > "$PIPE_OUT/o"'] }
    inputs: { runs: 'a[*].out' }
    outputs: [o]
`;
    const file = writePipeline(dir, yaml('1, 2'));
    const r = await run(file);
    expect(Object.keys(r.status)).toEqual(['a[value=1]', 'a[value=2]', 'all']);
    const store = openStore(join(dir, 'artifacts'));
    expect(readFileSync(store.objectPath(r.nodes[2]?.outputs?.o?.digest as string), 'utf8')).toBe('value=1:1;value=2:2;');
    expect((await run(file)).status).toEqual({ 'a[value=1]': 'cached', 'a[value=2]': 'cached', all: 'cached' });
    // plan computes the same gathered digest without writing it.
    expect(planPipeline(load(file)).map((p) => p.status)).toEqual(['cached', 'cached', 'cached']);
    writePipeline(dir, yaml('1, 3'));
    const again = await run(file);
    expect(again.status).toEqual({ 'a[value=1]': 'cached', 'a[value=3]': 'ran', all: 'ran' });
    expect(again.nodes[2]?.reason).toBe('input a[*].out: new content');
    expect(load(file, { overrides: [] }).instances[2]?.inputs.runs?.gather?.map((g) => g.label)).toEqual(['value=1', 'value=3']);
  });
});
