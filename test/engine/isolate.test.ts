/**
 * Kinds with `isolate: true` run in a child process: the node sees the same context (params, cpus, output paths),
 * and its progress, logs, stdout, metrics and records, errors and crashes all come back to the engine.
 * The kind is written as a plain .mjs module, since the child imports the kind from its module URL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NodeKind, NodeLibrary } from '../../src/engine/node-kind.js';
import type { RunEvent } from '../../src/engine/execute.js';
import { openStore } from '../../src/engine/store.js';
import { run, tempDir, writePipeline } from './fixtures/helpers.js';

const KIND_SOURCE = `
import { writeFileSync } from 'node:fs';
export const child = {
  kind: 't.child', description: 'reports its pid', module: import.meta.url, isolate: true,
  params: { type: 'object', additionalProperties: false, properties: { mode: { type: 'string' } } },
  inputs: [], outputs: ['out'],
  async run(ctx) {
    if (ctx.params.mode === 'throw') throw new Error('boom from the child');
    if (ctx.params.mode === 'crash') { process.stderr.write('about to crash\\n'); process.exit(3); }
    if (ctx.params.mode === 'undeclared') ctx.output('nope');
    if (ctx.params.mode === 'hang') { await new Promise((r) => ctx.signal.addEventListener('abort', r)); throw new Error('stopped'); }
    ctx.progress({ done: 1, total: 2, unit: 'steps' });
    ctx.log('from ctx.log');
    console.log('from stdout');
    ctx.metric('loss', 0.5, 7);
    writeFileSync(ctx.output('out'), JSON.stringify({ pid: process.pid, cpus: ctx.cpus, seed: ctx.seed }));
  },
};
`;

async function childLibrary(): Promise<NodeLibrary> {
  const file = join(tempDir(), 'kind.mjs');
  writeFileSync(file, KIND_SOURCE);
  const mod = (await import(pathToFileURL(file).href)) as { child: NodeKind };
  return { kinds: [mod.child] };
}

describe('isolated node kinds', () => {
  it('run in another process with the same context, and report back', async () => {
    const library = await childLibrary();
    const dir = tempDir();
    const events: RunEvent[] = [];
    const r = await run(writePipeline(dir, 'name: i\nnodes:\n  a: { kind: t.child, params: {}, resources: { cpu: 3 } }\n'), {
      library,
      onEvent: (e) => events.push(e),
    });
    expect(r.status).toEqual({ a: 'ran' });
    const store = openStore(join(dir, 'artifacts'));
    const out = JSON.parse(readFileSync(store.objectPath(r.nodes[0]?.outputs?.out?.digest as string), 'utf8'));
    expect(out.pid).not.toBe(process.pid);
    expect(out.cpus).toBe(3);
    expect(typeof out.seed).toBe('number');
    const logs = events.flatMap((e) => (e.type === 'node-log' ? [e.line] : []));
    expect(logs).toEqual(expect.arrayContaining(['from ctx.log', 'from stdout']));
    expect(events.some((e) => e.type === 'node-progress' && e.update.done === 1 && e.update.total === 2)).toBe(true);
  });

  it('an error thrown in the child fails the node with its message', async () => {
    const library = await childLibrary();
    const r = await run(writePipeline(tempDir(), 'name: i\nnodes:\n  a: { kind: t.child, params: { mode: throw } }\n'), { library });
    expect(r.status).toEqual({ a: 'failed' });
    expect(JSON.stringify(r.nodes[0]?.failure)).toContain('boom from the child');
  });

  it('a crashed child fails the node with its exit code and last stderr line', async () => {
    const library = await childLibrary();
    const r = await run(writePipeline(tempDir(), 'name: i\nnodes:\n  a: { kind: t.child, params: { mode: crash } }\n'), { library });
    expect(r.status).toEqual({ a: 'failed' });
    const failure = JSON.stringify(r.nodes[0]?.failure);
    expect(failure).toContain('exited with code 3');
    expect(failure).toContain('about to crash');
  });

  it('an undeclared output is reported as in-process', async () => {
    const library = await childLibrary();
    const r = await run(writePipeline(tempDir(), 'name: i\nnodes:\n  a: { kind: t.child, params: { mode: undeclared } }\n'), { library });
    expect(JSON.stringify(r.nodes[0]?.failure)).toContain("node wrote undeclared output 'nope' (declared: out)");
  });

  it('a kind its module does not export fails with that said', async () => {
    const file = join(tempDir(), 'hidden.mjs');
    writeFileSync(file, KIND_SOURCE.replace('export const child', 'const child') + '\nexport const holder = { child };\n');
    const mod = (await import(pathToFileURL(file).href)) as { holder: { child: NodeKind } };
    const r = await run(writePipeline(tempDir(), 'name: i\nnodes:\n  a: { kind: t.child, params: {} }\n'), { library: { kinds: [mod.holder.child] } });
    expect(r.status).toEqual({ a: 'failed' });
    expect(JSON.stringify(r.nodes[0]?.failure)).toContain('node kind t.child is not exported by');
  });

  it('cancelling the run aborts the child through its signal', async () => {
    const library = await childLibrary();
    const ac = new AbortController();
    const pending = run(writePipeline(tempDir(), 'name: i\nnodes:\n  a: { kind: t.child, params: { mode: hang } }\n'), {
      library,
      signal: ac.signal,
      onEvent: (e) => e.type === 'node-start' && setTimeout(() => ac.abort(), 300),
    });
    const r = await pending;
    expect(r.status.a).not.toBe('ran');
  });
});
