import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryKeyOf, loadPipelineCached, loadPipelineFast } from '../../src/engine/load-cache.js';
import { folderLibrary } from './fixtures/folder-kind.js';
import { library } from './fixtures/kinds.js';
import { tempDir, writePipeline } from './fixtures/helpers.js';

const saved = process.env.PIPE_CACHE_DIR;
beforeAll(() => {
  process.env.PIPE_CACHE_DIR = tempDir('pipe-memo-');
});
afterAll(() => {
  if (saved === undefined) delete process.env.PIPE_CACHE_DIR;
  else process.env.PIPE_CACHE_DIR = saved;
});

describe('load memo', () => {
  it('returns the same pipeline on a hit, with kinds found by importing their modules', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.txt'), 'one');
    const file = writePipeline(dir, 'name: m\nnodes:\n  a: { kind: t.value, params: { file: t.txt }, matrix: { n: [1, 2] } }\n  b: { kind: t.concat, inputs: { a: a.out } }\n');
    const libraryKey = libraryKeyOf(library.kinds);
    expect(await loadPipelineFast(file, { libraryKey })).toBeUndefined();
    const full = await loadPipelineCached(file, { library });
    const fast = await loadPipelineFast(file, { libraryKey });
    expect(fast?.pipeline?.instances.map((i) => i.id)).toEqual(['a[n=1]', 'a[n=2]', 'b[n=1]', 'b[n=2]']);
    expect(fast?.pipeline?.instances.map((i) => i.kind)).toEqual(full.pipeline?.instances.map((i) => i.kind));
    expect(JSON.stringify(fast?.pipeline?.instances.map(({ kind: _k, ...rest }) => rest))).toBe(
      JSON.stringify(full.pipeline?.instances.map(({ kind: _k, ...rest }) => rest)),
    );
    expect(fast?.files).toEqual([file, join(dir, 't.txt')]);
  });

  it('misses when a file param, the YAML or the overrides change', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 't.txt'), 'one');
    const file = writePipeline(dir, 'name: m\nnodes:\n  a: { kind: t.value, params: { file: t.txt } }\n');
    const libraryKey = libraryKeyOf(library.kinds);
    const first = await loadPipelineCached(file, { library });
    writeFileSync(join(dir, 't.txt'), 'two');
    expect(await loadPipelineFast(file, { libraryKey })).toBeUndefined();
    const second = await loadPipelineCached(file, { library });
    expect(second.pipeline?.instances[0]?.keyParams).not.toEqual(first.pipeline?.instances[0]?.keyParams);
    expect(await loadPipelineFast(file, { libraryKey, overrides: ['a.n=3'] })).toBeUndefined();
    expect((await loadPipelineCached(file, { library, overrides: ['a.n=3'] })).pipeline?.instances[0]?.params.n).toBe(3);
    writePipeline(dir, 'name: m\nnodes:\n  a: { kind: t.value, params: { file: t.txt, n: 1 } }\n');
    expect(await loadPipelineFast(file, { libraryKey })).toBeUndefined();
  });

  it('a folder param is keyed by its files: a hit while they are unchanged, a miss and a new key when one changes', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'config.json'), '{"a":1}');
    const file = writePipeline(dir, 'name: m\nnodes:\n  a: { kind: t.folder, params: { dir: model } }\n');
    const libraryKey = libraryKeyOf(folderLibrary.kinds);
    const first = await loadPipelineCached(file, { library: folderLibrary });
    expect(first.diagnostics).toEqual([]);
    expect(await loadPipelineFast(file, { libraryKey })).toBeDefined();
    writeFileSync(join(dir, 'model', 'config.json'), '{"a":2}');
    expect(await loadPipelineFast(file, { libraryKey })).toBeUndefined();
    const second = await loadPipelineCached(file, { library: folderLibrary });
    expect(second.pipeline?.instances[0]?.keyParams).not.toEqual(first.pipeline?.instances[0]?.keyParams);
    expect(second.pipeline?.instances[0]?.params.dir).toBe(join(dir, 'model'));
  });

  it('a file param given a folder is still refused', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'model'));
    const file = writePipeline(dir, 'name: m\nnodes:\n  a: { kind: t.value, params: { file: model } }\n');
    const r = await loadPipelineCached(file, { library });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["param 'file': cannot read file (not a regular file): model"]);
  });

  it('never memoizes an invalid pipeline', async () => {
    const dir = tempDir();
    const file = writePipeline(dir, 'name: m\nnodes:\n  a: { kind: nope }\n');
    expect((await loadPipelineCached(file, { library })).diagnostics).toHaveLength(1);
    expect((await loadPipelineCached(file, { library })).diagnostics).toHaveLength(1);
    expect(await loadPipelineFast(file, { libraryKey: libraryKeyOf(library.kinds) })).toBeUndefined();
  });
});
