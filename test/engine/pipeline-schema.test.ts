import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { editorPipelineSchema } from '../../src/engine/pipeline-schema.js';
import { library } from '../../src/nodes/index.js';

const root = join(import.meta.dirname, '../..');
const schemaFile = join(root, 'schemas/pipeline.schema.json');
const pipelineFiles = readdirSync(join(root, 'pipelines')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'pipelines', f));

function validate() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
}

const sft = (node: Record<string, unknown>) => ({
  name: 'p',
  nodes: { train: { kind: 'train.sft', inputs: { data: 'd.sft' }, params: { model: { nLayer: 1, nHead: 1, nEmbd: 8, blockSize: 8 }, steps: 1, batchSize: 2 }, ...node } },
});

describe('schemas/pipeline.schema.json (for editors)', () => {
  it('is what npm run schema generates from the node kinds', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(`${JSON.stringify(editorPipelineSchema(library.kinds), null, 2)}\n`);
  });

  it("rejects an unknown kind, an unknown param and a wrongly typed param, and accepts the kind's valid params", () => {
    const v = validate();
    expect(v(sft({}))).toBe(true);
    expect(v(sft({ kind: 'train.stf' }))).toBe(false);
    expect(v.errors?.some((e) => e.instancePath === '/nodes/train/kind' && e.keyword === 'enum')).toBe(true);
    const withParam = (extra: Record<string, unknown>) => sft({ params: { ...sft({}).nodes.train.params, ...extra } });
    expect(v(withParam({ stepz: 10 }))).toBe(false);
    expect(v.errors?.some((e) => e.keyword === 'additionalProperties' && (e.params as { additionalProperty: string }).additionalProperty === 'stepz')).toBe(true);
    expect(v(withParam({ batchSize: 'x' }))).toBe(false);
    expect(v.errors?.some((e) => e.instancePath === '/nodes/train/params/batchSize' && e.keyword === 'type')).toBe(true);
    expect(v(sft({ inputs: { dataa: 'd.sft' } }))).toBe(false);
  });

  it('accepts every pipeline in pipelines/, each of which names it on its first line', () => {
    const v = validate();
    for (const file of pipelineFiles) {
      const text = readFileSync(file, 'utf8');
      expect(text.split('\n')[0], file).toBe(`# yaml-language-server: $schema=${relative(dirname(file), schemaFile)}`);
      expect(v(parse(text)), `${file}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
    }
  });
});
