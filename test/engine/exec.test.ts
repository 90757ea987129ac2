import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/engine/store.js';
import { load, run, tempDir, writePipeline } from './fixtures/helpers.js';

const read = (dir: string, digest: string | undefined): string => readFileSync(openStore(join(dir, 'artifacts')).objectPath(digest as string), 'utf8');

describe('exec node kind', () => {
  it('passes PIPE_OUT, PIPE_IN_<name>, PIPE_SEED, PIPE_FILE_<name> and params.env; runs in a fresh empty directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data.txt'), 'file-param');
    const file = writePipeline(
      dir,
      `name: e
seed: 3
nodes:
  src:
    kind: exec
    params: { argv: [sh, -c, 'printf upstream > "$PIPE_OUT/o"'] }
    outputs: [o]
  env:
    kind: exec
    params:
      argv: [sh, -c, 'echo "in=$(cat "$PIPE_IN_up") seed=$PIPE_SEED x=$X file=$(cat "$PIPE_FILE_data") files=$(ls -A | wc -l)" > "$PIPE_OUT/report"; mkdir "$PIPE_OUT/tree"; echo t > "$PIPE_OUT/tree/t"']
      env: { X: 'from env' }
      files: { data: data.txt }
    inputs: { up: src.o }
    outputs: [report, tree]
`,
    );
    const r = await run(file);
    expect(r.ok).toBe(true);
    const seed = load(file).instances[1]?.seed;
    expect(read(dir, r.nodes[1]?.outputs?.report?.digest)).toBe(`in=upstream seed=${seed} x=from env file=file-param files=0\n`);
    expect(r.nodes[1]?.outputs?.tree?.type).toBe('dir');
  });

  it('uses argument arrays: no shell unless the argv asks for one', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: e\nnodes:\n  a:\n    kind: exec\n    params: { argv: [node, -e, 'require("fs").writeFileSync(process.env.PIPE_OUT + "/o", process.argv[1])', '$HOME;rm -rf x'] }\n    outputs: [o]\n`);
    const r = await run(file);
    expect(read(dir, r.nodes[0]?.outputs?.o?.digest)).toBe('$HOME;rm -rf x');
  });

  it('a missing declared output is a failure that names it', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: e\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'echo hi > "$PIPE_OUT/one"'] }\n    outputs: [one, two]\n`);
    const r = await run(file);
    expect(r.status).toEqual({ a: 'failed' });
    expect(r.nodes[0]?.reason).toBe("declared output 'two' not written to $PIPE_OUT");
  });

  it('a non-zero exit fails the node with the exit code, and stderr lines in the log tail', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: e\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sh, -c, 'echo working; echo "no such thing" >&2; exit 3'] }\n    outputs: [o]\n`);
    const r = await run(file);
    expect(r.nodes[0]?.reason).toBe('command sh failed: exit code 3');
    const failure = r.nodes[0]?.failure;
    expect(failure?.type === 'node-failed' && failure.logTail.slice(1)).toEqual(['working', 'no such thing']);
  });

  it('is cancelled through the signal (the child is killed)', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, `name: e\nnodes:\n  a:\n    kind: exec\n    params: { argv: [sleep, '30'] }\n    outputs: [o]\n`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 300);
    const t0 = Date.now();
    const r = await run(file, { signal: controller.signal });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.status).toEqual({ a: 'skipped' });
    expect(r.nodes[0]?.reason).toBe('cancelled');
  });
});
