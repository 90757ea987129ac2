import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/engine/load.js';
import { library } from '../../src/nodes/index.js';
import { closest, editDistance } from '../../src/util/did-you-mean.js';

describe('did you mean', () => {
  it('finds the closest names (a transposition is one edit) and nothing when none is close', () => {
    expect(editDistance('train.stf', 'train.sft')).toBe(1);
    expect(closest('train.stf', ['train.sft', 'train.grpo', 'eval.gp'])).toEqual(['train.sft']);
    expect(closest('eval.gpp', ['eval.gp', 'eval.sokoban'])).toEqual(['eval.gp']);
    expect(closest('nope', ['exec', 'report'])).toEqual([]);
  });
  it('the loader suggests the kind a typo meant', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipe-dym-'));
    writeFileSync(join(dir, 'p.yaml'), 'name: p\nnodes:\n  t:\n    kind: train.stf\n');
    const r = loadPipeline(join(dir, 'p.yaml'), { library });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["unknown node kind 'train.stf' (did you mean train.sft?)"]);
  });
});
