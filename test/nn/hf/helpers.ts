import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/fixtures/hf: tiny models saved by transformers, with their expected outputs (see make_fixtures.py). */
export const HF_FIXTURES = fileURLToPath(new URL('../../fixtures/hf/', import.meta.url));
export const FAMILIES = ['llama', 'qwen2', 'qwen3'] as const;

export function fixture(name: string): string {
  return join(HF_FIXTURES, name);
}

export function tempDir(prefix = 'pipe-hf-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** float32 → bfloat16 → float32 with round-to-nearest-even, as torch's `.to(torch.bfloat16)` does. */
export function bf16Round(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  const v = u[0]!;
  u[0] = ((v + 0x7fff + ((v >>> 16) & 1)) >>> 16) << 16;
  return f[0]!;
}
