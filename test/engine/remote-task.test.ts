/**
 * Task specs (what a SLURM job or a queue worker receives): rebuilt from the receiver's own library, and refused when
 * the receiver would compute the node differently from what its cache key says.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, componentsOf } from '../../src/engine/classify.js';
import type { NodeTask } from '../../src/engine/executor.js';
import { runRemoteTask, specOf, taskFromSpec } from '../../src/engine/remote-task.js';
import { openStore } from '../../src/engine/store.js';
import { load, tempDir, writePipeline } from './fixtures/helpers.js';
import { library } from './fixtures/kinds.js';

function task(node = 'kind: t.value\n    params: { value: 3 }'): NodeTask {
  const file = writePipeline(tempDir(), `name: r\nnodes:\n  a:\n    ${node}\n`);
  const inst = load(file).instances[0]!;
  const components = componentsOf(inst, {});
  return { runId: 'run', pipeline: 'r', inst, key: cacheKey(components), components, inputs: {}, reasonType: 'new', reason: 'no previous run' };
}

describe('task specs', () => {
  it('round-trip through JSON to the same node, params, seed, key and components', () => {
    const t = task();
    const back = taskFromSpec(JSON.parse(JSON.stringify(specOf(t, '/store', 'id1'))), library);
    expect(back.inst.kind).toBe(t.inst.kind);
    expect([back.inst.id, back.inst.params, back.inst.seed, back.inst.outputs, back.inst.resources]).toEqual([t.inst.id, t.inst.params, t.inst.seed, t.inst.outputs, t.inst.resources]);
    expect(back.key).toBe(t.key);
    expect(cacheKey(back.components)).toBe(t.key);
  });

  it('are refused by a receiver with other code, another runtime, an unknown kind, or a key that does not match', () => {
    const t = task();
    const spec = specOf(t, '/store', 'id1');
    const rekey = (c: typeof spec.components) => ({ ...spec, components: c, key: cacheKey(c) });
    expect(() => taskFromSpec(rekey({ ...spec.components, implementation: { ...spec.components.implementation, hash: 'f'.repeat(64) } }), library)).toThrow(
      "this machine's code for 't.value' differs from the driver's",
    );
    expect(() => taskFromSpec(rekey({ ...spec.components, runtime: { pipe: '0.0.0-other' } }), library)).toThrow("this machine's runtime differs");
    expect(() => taskFromSpec({ ...spec, kind: 't.nope' }, library)).toThrow("this pipe has no node kind 't.nope'");
    expect(() => taskFromSpec({ ...spec, key: 'a'.repeat(64) }, library)).toThrow('task key does not match its components');
  });

  it('a failure that races the stop signal (scancel signals the node\'s command too) is reported as the stop', async () => {
    const root = join(tempDir(), 'store');
    const store = openStore(root);
    store.init();
    writeFileSync(store.attempts.jobFile('id1.events'), '');
    // The signal's handler runs only after the node has failed: the first question finds no signal yet.
    let asked = 0;
    const outcome = await runRemoteTask(specOf(task('kind: t.fail'), root, 'id1'), {
      library,
      signal: new AbortController().signal,
      terminated: () => (asked++ === 0 ? undefined : 'SIGTERM'),
    });
    expect(outcome).toMatchObject({ status: 'failed', signal: 'SIGTERM', message: 'terminated by SIGTERM before it finished; nothing was stored' });
  });
});
