/**
 * Conformance of the built-in node library to the engine's NodeKind contract: every kind is loadable by the engine
 * (schema compiles, params closed, outputs and file params well-formed, module hashable). One suite for every kind.
 */
import { describe, expect, it } from 'vitest';
import { implementationHash } from '../../src/engine/impl-hash.js';
import { validator } from '../../src/engine/validate.js';
import { library } from '../../src/nodes/index.js';

const OUTPUT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

describe('built-in node library conformance', () => {
  it('has unique kind names', () => {
    const names = library.kinds.map((k) => k.kind);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  for (const kind of library.kinds) {
    describe(kind.kind, () => {
      it('has a params schema that compiles, is an object schema and rejects unknown params', () => {
        expect(() => validator(kind.params)).not.toThrow();
        expect(kind.params.type).toBe('object');
        expect(kind.params.additionalProperties).toBe(false);
      });

      it('declares valid input and output names, and file params that exist in its schema', () => {
        if (kind.outputs !== '*') for (const o of kind.outputs) expect(o).toMatch(OUTPUT_NAME);
        if (kind.inputs !== '*') for (const i of kind.inputs) expect(i).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
        for (const o of kind.optionalInputs ?? []) expect(kind.inputs === '*' || kind.inputs.includes(o)).toBe(true);
        const props = Object.keys((kind.params.properties as Record<string, unknown> | undefined) ?? {});
        for (const f of kind.fileParams ?? []) expect(props).toContain(f.split('.')[0]);
      });

      it('names a module the engine can hash (its code is part of the cache key)', () => {
        const h = implementationHash(kind.module);
        expect(h.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(Object.keys(h.files).length).toBeGreaterThan(0);
      });
    });
  }

  it('defines views as SQL text, or as SQL built from the comparison columns', () => {
    for (const view of Object.values(library.views ?? {})) {
      const sql = typeof view === 'string' ? view : view(['lr', 'eval.temperature']);
      expect(sql).toMatch(/SELECT/);
      if (typeof view !== 'string') expect(sql).toContain('"eval.temperature"');
    }
  });
});
