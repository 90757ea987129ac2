/**
 * The composition root: picks the subcommand and lazily loads its module, so `pipe run` on a cached pipeline never
 * pays for loading ONNX Runtime or DuckDB. Exit codes: 0 ok, 1 a node failed, 2 bad input.
 */
import { usage } from './usage.js';

/** A subcommand: receives its own arguments, returns the exit code. Only src/cli writes to stdout or exits. */
export type Command = (args: readonly string[]) => Promise<number>;

const commands: Readonly<Record<string, () => Promise<{ readonly command: Command }>>> = {
  run: () => import('./commands/run.js'),
  plan: () => import('./commands/plan.js'),
  query: () => import('./commands/query.js'),
  watch: () => import('./commands/watch.js'),
  audit: () => import('./commands/audit.js'),
  gc: () => import('./commands/gc.js'),
  ls: () => import('./commands/ls.js'),
  show: () => import('./commands/show.js'),
  report: () => import('./commands/report.js'),
  doctor: () => import('./commands/doctor.js'),
  sokoban: () => import('./commands/sokoban.js'),
  gp: () => import('./commands/gp.js'),
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { pipeVersion } = await import('./version.js');
    process.stdout.write(`${pipeVersion}\n`);
    return 0;
  }
  const load = commands[name];
  if (load === undefined) {
    process.stderr.write(`pipe: unknown command '${name}'\n\n${usage}`);
    return 2;
  }
  const { command } = await load();
  return command(rest);
}
