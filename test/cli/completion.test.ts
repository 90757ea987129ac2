/** `pipe completion bash|zsh`: scripts that complete commands, options, option values and pipeline files. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spec } from '../../src/cli/commands/completion.js';
import { commandFunction } from '../../src/cli/program.js';
import { tempDir } from '../engine/fixtures/helpers.js';
import { capture } from './capture.js';

const completion = commandFunction(spec);

function hasShell(name: string): boolean {
  try {
    execFileSync(name, ['-c', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('pipe completion', () => {
  it('bash: completes commands, options, choices, subcommands and *.yaml files', async () => {
    const script = (await capture(completion, ['bash'])).out;
    const dir = tempDir();
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'pipelines', 'demo.yaml'), '');
    writeFileSync(join(dir, 'pipelines', 'notes.md'), '');
    writeFileSync(join(dir, 'completion.bash'), script);
    const complete = (...words: string[]): string =>
      execFileSync('bash', ['-c', `source completion.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _pipe; echo "\${COMPREPLY[*]}"`], { cwd: dir, encoding: 'utf8' }).trim();
    expect(complete('pipe', 'r')).toBe('report run');
    expect(complete('pipe', 'run', '--g')).toBe('--gpus');
    expect(complete('pipe', 'doctor', '--provider', '')).toBe('cpu webgpu cuda');
    expect(complete('pipe', 'sokoban', 'p')).toBe('play');
    expect(complete('pipe', 'plan', 'pipelines/')).toBe('pipelines/demo.yaml');
    expect(complete('pipe', 'help', 'pl')).toBe('plan');
  });

  it.runIf(hasShell('zsh'))('zsh: the script loads in zsh', async () => {
    const script = (await capture(completion, ['zsh'])).out;
    const dir = tempDir();
    writeFileSync(join(dir, '_pipe'), script);
    expect(execFileSync('zsh', ['-n', join(dir, '_pipe')], { encoding: 'utf8' })).toBe('');
    expect(execFileSync('zsh', ['-c', `autoload -U compinit && compinit -u -D && source ${join(dir, '_pipe')} && print -r -- $_comps[pipe]`], { encoding: 'utf8' }).trim()).toBe('_pipe');
  });

  it('an unknown shell is bad input', async () => {
    expect((await capture(completion, ['fish'])).code).toBe(2);
  });
});
