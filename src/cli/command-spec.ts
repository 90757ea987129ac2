/**
 * What a `pipe` subcommand declares: its name, one-line summary, arguments, options and action. Each file in
 * src/cli/commands/ exports one `spec` (the file name is the command name), and everything users see about the
 * command comes from it: `pipe help <cmd>`, the top-level help (which lists every option), did-you-mean suggestions
 * and the bash/zsh completion scripts. Adding a command is adding one such file.
 */
import type { CommandEnv } from './engine-io.js';

/** One option, in commander's flag syntax: `-j, --jobs <n>`, `--json`, `--set <node.param=value>`. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  /** The option may be given several times; its value is then an array (in order). */
  readonly repeatable?: boolean;
  /** The only values accepted (checked by the parser, listed in help and completion). */
  readonly choices?: readonly string[];
  /** What completion offers for the value. */
  readonly complete?: 'file' | 'dir' | 'yaml';
}

/** Where a command is listed in the top-level help. */
export type CommandGroup = 'Pipelines' | 'Store' | 'Tasks and models' | 'Shell';

/** What an action gets besides its arguments: the injectable I/O of `CommandEnv` and a usage-error helper. */
export interface CommandContext extends CommandEnv {
  /** Prints `pipe <cmd>: <message>` and the command's help on stderr; returns 2 (bad input). */
  readonly usageError: (message: string) => number;
}

/** A subcommand. `O` is the parsed options object (commander's camelCase keys: `--keep-going` → `keepGoing`). */
export interface CommandSpec<O = Record<string, unknown>> {
  readonly name: string;
  readonly group: CommandGroup;
  /** Order within its group in the top-level help (lower first). */
  readonly rank: number;
  /** One line, shown in the top-level help. */
  readonly summary: string;
  /** Positional arguments in commander syntax: `<pipeline.yaml>`, `[pipeline.yaml]`, `<sql>`, `[names...]`. */
  readonly args?: readonly string[];
  /** Shown under the usage line of `pipe help <cmd>` (defaults to the summary). */
  readonly description?: string;
  readonly options?: readonly OptionSpec[];
  /** Shown after the options in `pipe help <cmd>`. */
  readonly footer?: string;
  /**
   * The command parses its own arguments (it has subcommands of its own, like `pipe sokoban solve`): everything after
   * its name, `--help` included, reaches the action as positionals. `subcommands` and `usage` feed help and completion.
   */
  readonly passThrough?: { readonly subcommands: readonly string[]; readonly usage: string };
  /** Runs the command; returns the exit code (0 ok, 1 a node failed, 2 bad input). */
  readonly action: (args: readonly string[], opts: O, ctx: CommandContext) => Promise<number>;
}

/** Declares a command (typed options for the action; the identity at run time). */
export function defineCommand<O>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
