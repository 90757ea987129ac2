import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { readParquet, writeParquet } from '../../../src/nodes/data/parquet.js';

test('parquet round-trips nested rows in the Hugging Face chat schema', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'pq-')), 'x.parquet');
  const rows = [
    { data_source: 'sokoban', prompt: [{ role: 'user', content: "it's" }], reward_model: { style: 'rule', ground_truth: [1] } },
    { data_source: 'sokoban', prompt: [{ role: 'user', content: 'b' }], reward_model: { style: 'rule', ground_truth: [4] } },
  ];
  await writeParquet(path, rows);
  const back = await readParquet(path);
  expect(back).toEqual(rows);
});
