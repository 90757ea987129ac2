import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeContext, NodeKind } from '../../../src/engine/node-kind.js';
import { readParquet } from '../../../src/nodes/data/parquet.js';
import { kinds } from '../../../src/nodes/sokoban/index.js';
import { library } from '../../../src/nodes/index.js';
import { diagnosticsText } from '../../engine/fixtures/helpers.js';

const TEMPLATE = fileURLToPath(new URL('../../../pipelines/templates/sokoban-compact.txt', import.meta.url));
let dir: string;

function kind(name: string): NodeKind {
  const k = kinds.find((x) => x.kind === name);
  if (k === undefined) throw new Error(`no kind ${name}`);
  return k;
}

function ctx(params: Record<string, unknown>, inputs: Record<string, string> = {}) {
  const metrics: Record<string, number> = {};
  const logs: string[] = [];
  const c: NodeContext = {
    id: 'n',
    params,
    seed: 1,
    inputs,
    output: (name) => join(dir, name),
    resumeDir: dir,
    signal: new AbortController().signal,
    progress: () => {},
    log: (m) => logs.push(m),
    metric: (name, value) => {
      metrics[name] = value;
    },
    record: () => {},
  };
  return { c, metrics, logs };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipe-sokoban-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sokoban node kinds', () => {
  it('declares params schemas that forbid unknown params', () => {
    expect(kinds.map((k) => k.kind)).toEqual(['sokoban.levels', 'sokoban.evalset', 'sokoban.dataset', 'eval.sokoban']);
    for (const k of kinds) expect(k.params.additionalProperties).toBe(false);
    expect(kind('sokoban.dataset').fileParams).toEqual(['template']);
  });

  it('a diversity poolSize below 4 is a located error', async () => {
    const file = join(dir, 'pool.yaml');
    await writeFile(file, `name: pz\nnodes:\n  levels: { kind: sokoban.levels }\n  data:\n    kind: sokoban.dataset\n    inputs: { levels: levels.levels }\n    params:\n      template: ${TEMPLATE}\n      diversity: { enabled: true, poolSize: 2 }\n`);
    expect(diagnosticsText(file, { library })).toContain("pool.yaml:9:45 error: param 'diversity.poolSize' must be >= 4");
  });

  it('an unknown diversity wordLength is a located error naming the choices', async () => {
    const file = join(dir, 'length.yaml');
    await writeFile(file, `name: wl\nnodes:\n  levels: { kind: sokoban.levels }\n  data:\n    kind: sokoban.dataset\n    inputs: { levels: levels.levels }\n    params:\n      template: ${TEMPLATE}\n      diversity: { enabled: true, wordLength: same }\n`);
    expect(diagnosticsText(file, { library })).toContain(`length.yaml:9:47 error: param 'diversity.wordLength' must be one of "any", "shared"`);
  });

  it('levels -> dataset writes SFT and RL Parquet in the paper schema', async () => {
    const lv = ctx({ split: 'SimpleSokoban', count: 12, seed: 42 });
    await kind('sokoban.levels').run(lv.c);
    await writeFile(join(dir, 'levels.jsonl'), await readFile(join(dir, 'levels'), 'utf8'));
    const ds = ctx(
      { template: TEMPLATE, response: 'cot', diversity: { enabled: true, pool: 'words', variantsPerState: 2 } },
      { levels: join(dir, 'levels.jsonl') },
    );
    await kind('sokoban.dataset').run(ds.c);
    const sft = await readParquet(join(dir, 'sft'));
    const rl = await readParquet(join(dir, 'rl'));
    expect(sft.length).toBe(ds.metrics.rows);
    expect(sft.length).toBe(2 * ds.metrics.states!);
    expect(Object.keys(sft[0]!)).toEqual(['data_source', 'prompt', 'response', 'ability', 'reward_model', 'extra_info']);
    expect(sft[0]).toMatchObject({ data_source: 'sokoban_6x6_1horizon_random', ability: 'bfs', reward_model: { style: 'rule' } });
    expect(rl[0]!.prompt).toEqual([{ role: 'user', content: sft[0]!.prompt }]);
    expect(ds.metrics.cot_rejected).toBe(0);
    // The words pool cannot cover digit bytes: reported, not hidden.
    expect(ds.logs.join('\n')).toMatch(/lacks test-word bytes/);
  });

  it('dataset refuses a poisoned pool', async () => {
    const ds = ctx(
      { template: TEMPLATE, diversity: { enabled: true, pool: ['tree', 'fix', 'jade', '1'] } },
      { levels: join(dir, 'levels.jsonl') },
    );
    await expect(kind('sokoban.dataset').run(ds.c)).rejects.toThrow(/test vocabulary word\(s\) "1"/);
  });

  it('evalset writes perSplit envs per split with seeds seedBase+i', async () => {
    const ev = ctx({ splits: ['SimpleSokoban', 'Fake'], perSplit: 3, seedBase: 123 });
    await kind('sokoban.evalset').run(ev.c);
    const envs = (await readFile(join(dir, 'envs'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(envs.map((e) => [e.split, e.index, e.seed])).toEqual([
      ['SimpleSokoban', 0, 123],
      ['SimpleSokoban', 1, 124],
      ['SimpleSokoban', 2, 125],
      ['FakeSokobanNumerical', 0, 126],
      ['FakeSokobanNumerical', 1, 127],
      ['FakeSokobanNumerical', 2, 128],
    ]);
    expect(envs[3].envVocab).toEqual(['Up', 'Down', 'Left', 'Right']);
    expect(envs[3].promptVocab).toEqual(['1', '2', '3', '4']);
  });
});
