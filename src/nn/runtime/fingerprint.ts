import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Provider } from '../types.js';

let cachedVersion: string | undefined;

/** onnxruntime-node's version, read from its package.json without loading the native module (startup speed). */
export function onnxruntimeVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('onnxruntime-node'));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'onnxruntime-node' && typeof pkg.version === 'string') return (cachedVersion = pkg.version);
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return (cachedVersion = 'unknown');
}

/**
 * What about the runtime can change numerical results: the onnxruntime version and the execution provider.
 * Part of every training/eval node's cache key.
 */
export function runtimeFingerprint(provider: Provider): Record<string, string> {
  return { onnxruntime: onnxruntimeVersion(), provider, nnGraphs: 'pipe-nn-1' };
}
