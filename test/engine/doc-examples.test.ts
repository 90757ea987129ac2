import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadPipeline } from '../../src/engine/load.js';
import { library } from '../../src/nodes/index.js';

const root = join(import.meta.dirname, '../..');
const docs = [join(root, 'README.md'), join(root, 'pipelines/README.md'), ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(root, 'docs', f))];

/** Every ```yaml block of a Markdown file that is a whole pipeline (a mapping with `name` and `nodes`), with its line. */
function pipelineBlocks(file: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const re = /^```ya?ml\n([\s\S]*?)^```$/gm;
  const md = readFileSync(file, 'utf8');
  for (const m of md.matchAll(re)) {
    const text = m[1] as string;
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      continue; // a fragment (e.g. nodes cut out of a pipeline), not a pipeline
    }
    if (typeof doc === 'object' && doc !== null && 'name' in doc && 'nodes' in doc) out.push({ line: md.slice(0, m.index).split('\n').length, text });
  }
  return out;
}

describe('pipeline examples in the documentation', () => {
  it('the README shows at least one whole pipeline', () => {
    expect(pipelineBlocks(join(root, 'README.md')).length).toBeGreaterThan(0);
  });

  for (const file of docs) {
    for (const block of pipelineBlocks(file)) {
      it(`${relative(root, file)}:${block.line} loads and plans without a diagnostic, and names the editor schema`, () => {
        expect(block.text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${relative(dirname(file), join(root, 'schemas/pipeline.schema.json'))}`);
        // Beside the Markdown file, so relative paths in it resolve as a reader's copy would.
        const tmp = join(dirname(file), `.doc-example-${process.pid}-${block.line}.yaml`);
        writeFileSync(tmp, block.text);
        try {
          const r = loadPipeline(tmp, { library });
          expect(r.diagnostics.map((d) => `${d.location?.line}:${d.location?.col} ${d.message}`)).toEqual([]);
          expect(r.pipeline?.instances.length).toBeGreaterThan(0);
        } finally {
          rmSync(tmp, { force: true });
        }
      });
    }
  }
});
