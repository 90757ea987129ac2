/**
 * `pipe --help`: every command with its summary and every option it takes, generated from the command specs so
 * that nothing a command accepts is missing from it (the per-command help, `pipe help <cmd>`, has the details).
 */
import type { CommandGroup, CommandSpec } from './command-spec.js';

const GROUPS: readonly CommandGroup[] = ['Pipelines', 'Store', 'Tasks and models', 'Shell'];
const WIDTH = 100;

/** Wraps words into lines of at most `width` characters, each starting with `indent`. */
function wrap(words: readonly string[], indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line.length > indent.length && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${w}` : w;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

/** An option as it appears in the overview: `--set <node.param=value>…`, `-j, --jobs <n>` → `--jobs <n>`. */
function brief(flags: string, repeatable: boolean | undefined, choices: readonly string[] | undefined): string {
  const long = flags.split(/,\s*/).find((f) => f.startsWith('--')) ?? flags;
  const shown = choices ? long.replace(/<[^>]+>/, choices.join('|')) : long;
  return `[${shown}]${repeatable ? '…' : ''}`;
}

/** The top-level help text. */
export function topLevelHelp(specs: readonly CommandSpec<never>[]): string {
  const head = (s: CommandSpec<never>): string => [s.name, ...(s.passThrough ? [`<${s.passThrough.subcommands.join('|')}>`] : (s.args ?? []))].join(' ');
  const col = Math.min(30, Math.max(...specs.map((s) => head(s).length)) + 4);
  const lines = ['Usage: pipe <command> [options]', '       pipe help <command>     the arguments and options of one command', ''];
  for (const group of GROUPS) {
    const inGroup = specs.filter((s) => s.group === group).sort((a, b) => a.rank - b.rank || (a.name < b.name ? -1 : 1));
    if (inGroup.length === 0) continue;
    lines.push(group);
    for (const s of inGroup) {
      const h = head(s);
      lines.push(h.length + 2 < col ? `  ${h.padEnd(col - 2)}${s.summary}` : `  ${h}\n${' '.repeat(col)}${s.summary}`);
      const opts = (s.options ?? []).map((o) => brief(o.flags, o.repeatable, o.choices));
      lines.push(...wrap(opts, ' '.repeat(col)));
    }
    lines.push('');
  }
  lines.push('  -h, --help                  this help;  -v, --version   the version', '', 'Exit codes: 0 ok, 1 a node failed, 2 bad input.', '');
  return lines.join('\n');
}
