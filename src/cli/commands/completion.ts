import { defineCommand } from '../command-spec.js';

/** `pipe completion bash|zsh`: prints the completion script for the shell, generated from every command's spec. */
export const spec = defineCommand({
  name: 'completion',
  group: 'Shell',
  rank: 1,
  summary: 'print the shell completion script (bash or zsh)',
  args: ['<shell>'],
  description: `Prints a completion script for commands, options, subcommands and pipeline files.
  bash:  source <(pipe completion bash)    (in ~/.bashrc)
  zsh:   source <(pipe completion zsh)     (in ~/.zshrc, after compinit)`,
  action: async ([shell], _opts, ctx) => {
    if (shell !== 'bash' && shell !== 'zsh') return ctx.usageError(`unknown shell '${shell}' (bash or zsh)`);
    const { loadAllSpecs } = await import('../command-registry.js');
    const { bashCompletion, zshCompletion } = await import('../completion-script.js');
    const specs = await loadAllSpecs();
    (ctx.out ?? ((t: string) => void process.stdout.write(t)))(shell === 'bash' ? bashCompletion(specs) : zshCompletion(specs));
    return 0;
  },
});
