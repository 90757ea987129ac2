import { describe, expect, it } from 'vitest';
import { paramsText } from '../../src/cli/params-text.js';

describe('paramsText', () => {
  it('prints params as JSON', () => {
    expect(paramsText({ steps: 3, template: { $file: 't.txt', sha256: 'ab' } })).toBe('{"steps":3,"template":{"$file":"t.txt","sha256":"ab"}}');
  });

  it("names a report's pipeline context instead of printing every upstream instance", () => {
    const instances = Array.from({ length: 71 }, (_, i) => ({ id: `n${i}`, kind: 'k', params: { big: 'x'.repeat(200) }, binding: {} }));
    const text = paramsText({ title: 'T', $pipeline: { file: 'study.yaml', name: 'study', overrides: [], commit: null, instances } });
    expect(text).toBe('{"title":"T","$pipeline":"study (study.yaml): 71 upstream instances; --json shows them"}');
  });
});
