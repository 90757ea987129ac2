import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeParquet } from '../../../src/nodes/data/parquet.js';
import { SFT_PARQUET } from '../../../src/nodes/formats.js';
import { sftKind } from '../../../src/nodes/train/sft.js';
import { fakeCtx } from '../train/fake-ctx.js';

const params = { model: { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 16 }, steps: 1, batchSize: 2, threads: 1 };

describe('train.sft input formats', () => {
  it('names the expected format when its data input is not Parquet (e.g. an exec output of text)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-fmt-'));
    const text = join(dir, 'rows.jsonl');
    writeFileSync(text, '{"prompt":"a","response":"b"}\n');
    await expect(sftKind.run(fakeCtx(params, { data: text }))).rejects.toThrow(
      `train.sft input 'data' (${text}) is not Parquet; expected ${SFT_PARQUET}`,
    );
    await expect(sftKind.run(fakeCtx(params, { data: dir }))).rejects.toThrow(`train.sft input 'data' (${dir}) is a directory, not a Parquet file`);
  });

  it('names the columns it found when a Parquet file has other columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-fmt-'));
    const file = join(dir, 'other.parquet');
    await writeParquet(file, [{ text: 'x', label: 1 }]);
    await expect(sftKind.run(fakeCtx(params, { data: file }))).rejects.toThrow(
      `train.sft input 'data' (${file}): SFT dataset has columns [text, label]; expected prompt/response (Sokoban) or question/answer (General Points)`,
    );
  });
});
