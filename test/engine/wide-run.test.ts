import { describe, expect, it } from 'vitest';
import { run, tempDir, writePipeline } from './fixtures/helpers.js';

describe('a wide pipeline', () => {
  it('runs forty independent nodes on one slot without a listener-leak warning', async () => {
    const nodes = Array.from({ length: 40 }, (_, i) => `  n${i}:\n    kind: t.value\n    params: { value: "v${i}" }\n`).join('');
    const file = writePipeline(tempDir(), `name: wide\nnodes:\n${nodes}`);
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const r = await run(file, { jobs: 1 });
      expect(r.ok).toBe(true);
      expect(Object.values(r.status).filter((s) => s === 'ran')).toHaveLength(40);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
