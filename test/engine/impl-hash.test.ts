import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashModuleTree, localImports } from '../../src/engine/impl-hash.js';
import { tempDir } from './fixtures/helpers.js';

describe('implementation hash', () => {
  it('finds static, re-export, side-effect and dynamic relative imports; skips type-only and package imports', () => {
    expect(
      localImports(`import type { A } from './a.js';
import { b,
  c } from "./b.js";
import './side.js';
export * from '../d.js';
export type { E } from './e.js';
const m = await import('./dyn.js');
import x from 'yaml';
import def, { y } from './f.js';`),
    ).toEqual(['./b.js', './side.js', '../d.js', './dyn.js', './f.js']);
  });

  it('changes when the module or a transitive local import changes, not when unrelated code does', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{}');
    mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
    const w = (f: string, text: string) => writeFileSync(join(dir, 'src', f), text);
    w('kind.ts', "import { helper } from './lib/helper.js';\nexport const run = async () => (await import('./lib/lazy.js')).x + helper;\n");
    w('lib/helper.ts', "import type { T } from '../types.js';\nimport { deep } from './deep.js';\nexport const helper = deep;\n");
    w('lib/deep.ts', 'export const deep = 1;\n');
    w('lib/lazy.ts', 'export const x = 2;\n');
    w('types.ts', 'export type T = number;\n');
    w('unrelated.ts', 'export const u = 0;\n');
    const url = pathToFileURL(join(dir, 'src', 'kind.ts')).href;
    const h0 = hashModuleTree(url);
    expect(Object.keys(h0.files)).toEqual(['src/kind.ts', 'src/lib/deep.ts', 'src/lib/helper.ts', 'src/lib/lazy.ts']);
    w('unrelated.ts', 'export const u = 1;\n');
    w('types.ts', 'export type T = string;\n');
    expect(hashModuleTree(url).hash).toBe(h0.hash);
    w('lib/deep.ts', 'export const deep = 2;\n');
    const h1 = hashModuleTree(url);
    expect(h1.hash).not.toBe(h0.hash);
    w('lib/lazy.ts', 'export const x = 3;\n');
    expect(hashModuleTree(url).hash).not.toBe(h1.hash);
  });

  it('follows .js files when running from compiled output', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'kind.js'), "export { a } from './a.js';\n");
    writeFileSync(join(dir, 'a.js'), 'export const a = 1;\n');
    expect(Object.keys(hashModuleTree(pathToFileURL(join(dir, 'kind.js')).href).files)).toEqual(['a.js', 'kind.js']);
  });
});
