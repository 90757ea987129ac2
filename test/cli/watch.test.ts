import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { watchCommand } from '../../src/cli/commands/watch.js';
import { counts, runs } from '../engine/fixtures/kinds.js';
import { tempDir, writePipeline } from '../engine/fixtures/helpers.js';
import { library } from '../engine/fixtures/kinds.js';

/** Polls until `cond` holds (or fails after 15 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 15_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('pipe watch', () => {
  it('reruns what changed on save (pipeline file and file params); survives an invalid save', async () => {
    counts.clear();
    const dir = tempDir();
    writeFileSync(join(dir, 'tpl.txt'), 'v1');
    const yaml = (v: string) => `name: w\nnodes:\n  a: { kind: t.value, params: { value: ${v} } }\n  t: { kind: t.value, params: { file: tpl.txt } }\n`;
    const file = writePipeline(dir, yaml('one'));
    let err = '';
    const controller = new AbortController();
    const summaries = () => err.split('\n').filter((l) => l.startsWith('w: ')).length;
    const done = watchCommand([file, '--debounce', '50'], { library, out: () => {}, err: (t) => (err += t), signal: controller.signal });
    try {
      await until(() => summaries() === 1 && err.includes('waiting for changes'), 'the first run');
      expect([runs('a'), runs('t')]).toEqual([1, 1]);

      writePipeline(dir, yaml('two'));
      await until(() => summaries() === 2, 'the rerun after editing the pipeline');
      expect([runs('a'), runs('t')]).toEqual([2, 1]);

      writeFileSync(join(dir, 'tpl.txt'), 'v2');
      await until(() => summaries() === 3, 'the rerun after editing a file param');
      expect([runs('a'), runs('t')]).toEqual([2, 2]);

      writePipeline(dir, 'name: w\nnodes:\n  a: { kind: t.value, params: { value: [ }\n');
      await until(() => err.includes('the pipeline is invalid; waiting for the next save'), 'the error');
      expect(err).toContain('p.yaml:3:');

      writePipeline(dir, yaml('three'));
      await until(() => summaries() === 4, 'recovery after the invalid save');
      expect([runs('a'), runs('t')]).toEqual([3, 2]);
    } finally {
      controller.abort();
      expect(await done).toBe(0);
    }
  });
});

describe('pipe watch cancels a superseded run', () => {
  it('a save during a long node cancels it and starts the new run', async () => {
    const dir = tempDir();
    const yaml = (ms: number, tag: string) => `name: w2\nnodes:\n  s: { kind: t.slow, params: { ms: ${ms}, tag: ${tag} } }\n`;
    const file = writePipeline(dir, yaml(20_000, 'long'));
    let err = '';
    const controller = new AbortController();
    const done = watchCommand([file, '--debounce', '30'], { library, out: () => {}, err: (t) => (err += t), signal: controller.signal });
    try {
      await until(() => err.includes('[run] s: no previous run'), 'the long node to start');
      const t0 = Date.now();
      writePipeline(dir, yaml(10, 'short'));
      await until(() => err.includes('w2: 1 ran, 0 cached, 0 failed'), 'the new run');
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(err).toContain('w2: superseding the current run');
      // The superseded run says nothing more: no line about its cancelled node.
      expect(err).not.toMatch(/\[skipped\] s/);
    } finally {
      controller.abort();
      await done;
    }
  });
});

describe('pipe watch keeps what the new plan still needs', () => {
  it('an unrelated edit does not cancel a long node; the new run takes its result from the cache', async () => {
    counts.clear();
    const dir = tempDir();
    const yaml = (v: string) => `name: w3\nnodes:\n  long: { kind: t.slow, params: { ms: 3000 } }\n  a: { kind: t.value, params: { value: ${v} } }\n`;
    const file = writePipeline(dir, yaml('one'));
    let err = '';
    const controller = new AbortController();
    const done = watchCommand([file, '--debounce', '30', '--jobs', '2'], { library, out: () => {}, err: (t) => (err += t), signal: controller.signal });
    try {
      await until(() => err.includes('[run] long: no previous run') && err.includes('[done] a'), 'long to start and a to finish');
      writePipeline(dir, yaml('two'));
      await until(() => err.includes('w3: 1 ran, 1 cached, 0 failed'), 'the new run');
      expect(err).toContain('w3: superseding the current run');
      // The old run's own lines stop at the supersede; the new run reports long (cached from the old run's work).
      expect(err.slice(err.indexOf('w3: superseding')).match(/\[done\] long/g)).toBeNull();
      expect(err).toContain('[wait] long: waiting for the previous run, which is still computing the same key');
      expect(err).toContain('[cached] long: cache hit (computed by a concurrent run)');
      expect([runs('long'), runs('a')]).toEqual([1, 2]);
    } finally {
      controller.abort();
      await done;
    }
  });
});
