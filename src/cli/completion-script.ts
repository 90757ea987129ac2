/**
 * Shell completion scripts for bash and zsh, generated from the command specs: command names, each command's
 * options (and the values of options with choices), its subcommands (`pipe sokoban <TAB>`), directories for
 * `--store`-like options, and pipeline files (*.yaml, *.yml) where a command takes one. Static scripts: completing
 * never starts node.
 */
import type { CommandSpec, OptionSpec } from './command-spec.js';

type AnySpec = CommandSpec<never>;

const longOf = (o: OptionSpec): string => o.flags.split(/[ ,]+/).find((f) => f.startsWith('--')) ?? o.flags;
const shortOf = (o: OptionSpec): string | undefined => o.flags.split(/[ ,]+/).find((f) => /^-[a-zA-Z]$/.test(f));
const takesValue = (o: OptionSpec): boolean => /[<[]/.test(o.flags);
const takesPipeline = (s: AnySpec): boolean => (s.args ?? []).some((a) => /\.ya?ml/.test(a));

/** The bash script (`source <(pipe completion bash)`). */
export function bashCompletion(specs: readonly AnySpec[]): string {
  const names = specs.map((s) => s.name).sort();
  const cases: string[] = [];
  for (const s of specs) {
    const opts = (s.options ?? []).flatMap((o) => [longOf(o), ...(shortOf(o) ? [shortOf(o) as string] : [])]);
    const dirs = (s.options ?? []).filter((o) => o.complete === 'dir').map(longOf);
    const files = (s.options ?? []).filter((o) => o.complete === 'file' || o.complete === 'yaml').map(longOf);
    const valued = (s.options ?? []).filter((o) => takesValue(o) && !o.complete && !o.choices).flatMap((o) => [longOf(o), ...(shortOf(o) ? [shortOf(o) as string] : [])]);
    const lines = [`    ${s.name})`, `      opts="${[...opts, '--help'].join(' ')}"`];
    for (const o of (s.options ?? []).filter((x) => x.choices)) lines.push(`      [ "$prev" = "${longOf(o)}" ] && { COMPREPLY=($(compgen -W "${o.choices?.join(' ')}" -- "$cur")); return; }`);
    if (dirs.length > 0) lines.push(`      case "$prev" in ${dirs.join('|')}) COMPREPLY=($(compgen -d -- "$cur")); return ;; esac`);
    if (files.length > 0) lines.push(`      case "$prev" in ${files.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;; esac`);
    if (valued.length > 0) lines.push(`      case "$prev" in ${valued.join('|')}) return ;; esac`);
    if (s.passThrough) lines.push(`      [ "$COMP_CWORD" -eq 2 ] && { COMPREPLY=($(compgen -W "${s.passThrough.subcommands.join(' ')}" -- "$cur")); return; }`, '      COMPREPLY=($(compgen -f -- "$cur")); return ;;');
    else if (takesPipeline(s)) lines.push('      yaml=1 ;;');
    else lines.push('      ;;');
    cases.push(lines.join('\n'));
  }
  return `# bash completion for pipe. Load it with:  source <(pipe completion bash)
# or install it:  pipe completion bash > ~/.local/share/bash-completion/completions/pipe
_pipe() {
  local cur prev opts="" yaml=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names.join(' ')} help --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
    help)
      [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "${names.join(' ')}" -- "$cur"))
      return ;;
${cases.join('\n')}
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [ "$yaml" = 1 ]; then
    COMPREPLY=($(compgen -f -X '!*.@(yaml|yml)' -- "$cur") $(compgen -d -- "$cur"))
  fi
}
shopt -s extglob 2>/dev/null
complete -o filenames -o bashdefault -F _pipe pipe
`;
}

/** zsh `_arguments` text: brackets, colons and quotes are markup there. */
const zq = (s: string): string => s.replace(/\\/g, '\\\\').replace(/'/g, `'\\''`).replace(/([[\]:])/g, '\\$1');

function zshOption(o: OptionSpec): string[] {
  const long = longOf(o);
  const short = shortOf(o);
  const desc = zq(o.description.split(/[.;(]/)[0]?.trim() ?? '');
  const value = !takesValue(o)
    ? ''
    : o.choices
      ? `:${zq(long.slice(2))}:(${o.choices.join(' ')})`
      : o.complete === 'dir'
        ? ':directory:_directories'
        : o.complete === 'yaml'
          ? `:file:_files -g '*.(yaml|yml)'`
          : o.complete === 'file'
            ? ':file:_files'
            : `:${zq(long.slice(2))}: `;
  const rep = o.repeatable ? '*' : '';
  if (short) return [`'${rep}(${short} ${long})'{${short},${long}}'[${desc}]${value}'`];
  return [`'${rep}${long}[${desc}]${value}'`];
}

/** The zsh script (`source <(pipe completion zsh)`, or save it as `_pipe` in a directory of $fpath). */
export function zshCompletion(specs: readonly AnySpec[]): string {
  const sorted = [...specs].sort((a, b) => (a.name < b.name ? -1 : 1));
  const commands = sorted.map((s) => `'${s.name}:${zq(s.summary)}'`).join(' \\\n    ');
  const cases = sorted.map((s) => {
    if (s.passThrough) return `    ${s.name}) _arguments '1:subcommand:(${s.passThrough.subcommands.join(' ')})' '*:file:_files' ;;`;
    const args = (s.args ?? []).map((a, i) => (/\.ya?ml/.test(a) ? `'${i + 1}:pipeline:_files -g "*.(yaml|yml)"'` : `'${i + 1}:${zq(a.replace(/[<>[\]]/g, ''))}: '`));
    const opts = (s.options ?? []).flatMap(zshOption);
    return `    ${s.name}) _arguments -s ${[...opts, `'(-h --help)'{-h,--help}'[print this help]'`, ...args].join(' \\\n        ')} ;;`;
  });
  return `#compdef pipe
# zsh completion for pipe. Load it with:  source <(pipe completion zsh)
# or install it:  pipe completion zsh > "\${fpath[1]}/_pipe"   (then restart zsh)
_pipe() {
  local -a commands
  commands=(
    ${commands}
    'help:the arguments and options of one command'
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'pipe command' commands
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
    help) _describe -t commands 'pipe command' commands ;;
${cases.join('\n')}
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _pipe "$@"
else
  compdef _pipe pipe
fi
`;
}
