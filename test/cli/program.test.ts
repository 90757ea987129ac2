/** The CLI as a whole, from the command specs: help, did-you-mean, version, exit codes. */
import { describe, expect, it } from 'vitest';
import { loadAllSpecs } from '../../src/cli/command-registry.js';
import { runProgram } from '../../src/cli/program.js';
import { library } from '../engine/fixtures/kinds.js';

async function pipe(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runProgram(await loadAllSpecs(), argv, { library, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('pipe (the command line)', () => {
  it('the top-level help lists every command and every option each one takes', async () => {
    const { code, out } = await pipe('--help');
    expect(code).toBe(0);
    for (const spec of await loadAllSpecs()) {
      expect(out).toMatch(new RegExp(`^  ${spec.name}\\b`, 'm'));
      for (const o of spec.options ?? []) expect(out).toContain(o.flags.split(/,\s*/).find((f) => f.startsWith('--'))?.split(' ')[0]);
    }
    expect(out).toContain('--gpus <n>');
    expect(out).toContain('--keep-going');
  });

  it('without arguments: the help on stdout and exit 2', async () => {
    const r = await pipe();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^Usage: pipe <command>/);
  });

  it("help <cmd> prints that command's help, not the top-level one", async () => {
    const r = await pipe('help', 'run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: pipe run \[options\] <pipeline\.yaml>/);
    expect(r.out).toContain('--gpus <n>');
    expect((await pipe('help', 'sokoban')).out).toMatch(/^Usage: pipe sokoban <generate\|stats\|solve\|render\|play>/);
    expect((await pipe('run', '--help')).out).toBe(r.out);
  });

  it('suggests the command or option meant, exit 2', async () => {
    expect(await pipe('rnu', 'x.yaml')).toEqual({ code: 2, out: '', err: "pipe: unknown command 'rnu' (did you mean run?)\nRun 'pipe help' for the list of commands.\n" });
    expect((await pipe('help', 'pln')).err).toMatch(/^pipe: unknown command 'pln' \(did you mean plan\?\)/);
    expect(await pipe('run', 'x.yaml', '--jsn')).toEqual({ code: 2, out: '', err: "pipe run: unknown option '--jsn' (did you mean --json?)\nRun 'pipe help run' for its arguments and options.\n" });
  });

  it('option values outside their choices are bad input', async () => {
    const r = await pipe('doctor', '--provider', 'tpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pipe doctor: option '--provider <name>' argument 'tpu' is invalid\. Allowed choices are cpu, webgpu, cuda\./);
  });

  it('--version prints the package version', async () => {
    const r = await pipe('--version');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^\d+\.\d+\.\d+/);
  });
});
