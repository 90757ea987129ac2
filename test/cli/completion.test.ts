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
    const bash = (await capture(completion, ['bash'])).out;
    const dir = tempDir();
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'pipelines', 'demo.yaml'), '');
    writeFileSync(join(dir, 'pipelines', 'notes.md'), '');
    writeFileSync(join(dir, 'completion.bash'), bash);
    // One bash for all cases (each line: the words completed, then what _pipe offers).
    const cases = [['pipe', 'r'], ['pipe', 'run', '--g'], ['pipe', 'doctor', '--provider', ''], ['pipe', 'sokoban', 'p'], ['pipe', 'plan', 'pipelines/'], ['pipe', 'help', 'pl']];
    const script = cases.map((w) => `COMP_WORDS=(${w.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${w.length - 1}; COMPREPLY=(); _pipe; echo "\${COMPREPLY[*]}"`).join('\n');
    const offered = execFileSync('bash', ['-c', `source completion.bash\n${script}`], { cwd: dir, encoding: 'utf8' }).split('\n');
    expect(offered.slice(0, cases.length)).toEqual(['report run', '--gpus', 'cpu webgpu cuda', 'play', 'pipelines/demo.yaml', 'plan']);
  });

  it.runIf(hasShell('zsh'))('zsh: the script loads in zsh', async () => {
    const script = (await capture(completion, ['zsh'])).out;
    const dir = tempDir();
    writeFileSync(join(dir, '_pipe'), script);
    expect(execFileSync('zsh', ['-n', join(dir, '_pipe')], { encoding: 'utf8' })).toBe('');
    // Sourced, it registers _pipe for pipe (compdef stubbed: compinit itself is slow and needs a home directory).
    expect(execFileSync('zsh', ['-fc', `compdef() { print -r -- "$@" }; source ${join(dir, '_pipe')}`], { encoding: 'utf8' }).trim()).toBe('_pipe pipe');
  });

  it('an unknown shell is bad input', async () => {
    expect((await capture(completion, ['fish'])).code).toBe(2);
  });
});
