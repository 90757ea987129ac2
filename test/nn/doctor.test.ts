import { describe, expect, it, vi } from 'vitest';
import { doctorCommand as command } from '../../src/cli/commands/doctor.js';

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await command(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('pipe doctor', () => {
  it('--json reports providers, gradient checks and a training run that lowers the loss', async () => {
    const { code, out } = await capture(['--json', '--provider', 'cpu', '--steps', '30']);
    const r = JSON.parse(out);
    expect(r.providers).toContain('cpu');
    expect(r.gradcheck.failed).toBe(0);
    expect(r.gradcheck.rules).toBeGreaterThanOrEqual(31);
    expect(r.gradcheck.maxRelError).toBeLessThan(2e-2);
    expect(r.train).toMatchObject({ provider: 'cpu', steps: 30 });
    expect(r.train.lossEnd).toBeLessThan(r.train.lossStart);
    expect(r.train.tokensPerSecond).toBeGreaterThan(0);
    expect(code).toBe(0);
  }, 60_000);

  it('rejects bad arguments with exit 2', async () => {
    expect((await capture(['--provider', 'tpu'])).code).toBe(2);
    expect((await capture(['--steps', 'x'])).code).toBe(2);
    expect((await capture(['--bogus'])).code).toBe(2);
  });
});
