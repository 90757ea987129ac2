/**
 * Turns command specs into a commander program and runs it: parsing, `pipe help <cmd>`, did-you-mean for commands
 * and options, and the exit codes (0 ok, 1 a node failed, 2 bad input). Nothing here knows a particular command.
 */
import { Command, CommanderError, Option } from 'commander';
import type { CommandSpec, OptionSpec } from './command-spec.js';
import type { CommandEnv } from './engine-io.js';
import { StoreDamage } from '../engine/store/untrusted.js';
import { environmentError } from './environment-error.js';
import { topLevelHelp } from './top-level-help.js';

type AnySpec = CommandSpec<never>;

/** Collects a repeatable option's values in order. */
const collect = (value: string, previous: readonly string[] | undefined): string[] => [...(previous ?? []), value];

function optionOf(o: OptionSpec): Option {
  const opt = new Option(o.flags, o.description);
  if (o.choices) opt.choices(o.choices);
  if (o.repeatable) opt.argParser(collect);
  return opt;
}

/** commander's "error: unknown option '--x'\n(Did you mean --y?)" as one `pipe <cmd>: …` line. */
function errorLine(prefix: string, text: string): string {
  const [first = '', ...rest] = text.trim().replace(/^error: /, '').split('\n');
  return `${prefix}: ${first}${rest.length > 0 ? ` ${rest.join(' ').replace(/^\(Did you mean/, '(did you mean')}` : ''}\n`;
}

function subcommandOf(spec: AnySpec, env: Required<Pick<CommandEnv, 'out' | 'err'>>, code: { value: number }, full: CommandEnv): Command {
  // Descriptions are written as wrapped paragraphs; commander re-wraps them to the terminal, so join their lines
  // (lines that start indented, like examples, stay as they are).
  const description = (spec.description ?? spec.summary).replace(/([^\n])\n(?=[^\n\s])/g, '$1 ');
  const cmd = new Command(spec.name).summary(spec.summary).description(description);
  cmd.configureOutput({
    writeOut: env.out,
    writeErr: env.err,
    outputError: (text, write) => write(errorLine(`pipe ${spec.name}`, text)),
  });
  cmd.exitOverride();
  if (spec.passThrough) {
    cmd.helpOption(false).allowUnknownOption().allowExcessArguments().argument('[args...]');
    cmd.helpInformation = () => spec.passThrough?.usage ?? '';
  } else {
    for (const a of spec.args ?? []) cmd.argument(a);
    for (const o of spec.options ?? []) cmd.addOption(optionOf(o));
    cmd.helpOption('-h, --help', 'print this help');
    if (spec.footer) cmd.addHelpText('after', `\n${spec.footer.trimEnd()}`);
    cmd.showHelpAfterError(`Run 'pipe help ${spec.name}' for its arguments and options.`);
  }
  cmd.action(async () => {
    const usageError = (message: string): number => {
      env.err(`pipe ${spec.name}: ${message}\nRun 'pipe help ${spec.name}' for its arguments and options.\n`);
      return 2;
    };
    code.value = await spec.action(cmd.args, cmd.opts() as never, { ...full, usageError });
  });
  return cmd;
}

/**
 * Runs `argv` (without node and the script) against `specs`. `env` injects output, the node library, a signal and
 * a working directory (tests); the defaults are the process's.
 */
export async function runProgram(specs: readonly AnySpec[], argv: readonly string[], env: CommandEnv = {}): Promise<number> {
  const out = env.out ?? ((t: string) => void process.stdout.write(t));
  const err = env.err ?? ((t: string) => void process.stderr.write(t));
  const io = { out, err };
  const help = (): string => topLevelHelp(specs);
  if (argv.length === 0) {
    out(help());
    return 2;
  }
  // `pipe help` and `pipe help <cmd>` (an unknown <cmd> gets did-you-mean like `pipe <cmd>` would).
  if (argv[0] === 'help') {
    if (argv[1] === undefined) {
      out(help());
      return 0;
    }
    argv = specs.some((s) => s.name === argv[1]) ? [argv[1], '--help'] : [argv[1]];
  }
  const program = new Command('pipe');
  program.configureOutput({ writeOut: out, writeErr: err, outputError: (text, write) => write(errorLine('pipe', text)) });
  program.exitOverride();
  program.helpInformation = help;
  program.showHelpAfterError("Run 'pipe help' for the list of commands.");
  program.option('-v, --version', 'print the version');
  program.helpCommand(false);
  const code = { value: 0 };
  for (const spec of specs) program.addCommand(subcommandOf(spec, io, code, env));
  try {
    if (argv[0] === '-v' || argv[0] === '--version') {
      const { pipeVersion } = await import('./version.js');
      out(`${pipeVersion}\n`);
      return 0;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code.value;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const line = environmentError(e) ?? (e instanceof StoreDamage ? `${e.message} (pipe fsck checks the whole store)` : undefined);
    if (line === undefined) throw e;
    err(`pipe ${argv[0] ?? ''}: ${line}\n`);
    return 1;
  }
}

/** `spec` as a function of its own arguments (what tests and other commands call): `pipe <name> …args`. */
export function commandFunction(spec: CommandSpec<never>): (args: readonly string[], env?: CommandEnv) => Promise<number> {
  return (args, env = {}) => runProgram([spec], [spec.name, ...args], env);
}
