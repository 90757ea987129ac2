/**
 * The composition root: `pipe <command> …`. A known command loads only its own file (so `pipe run` on a cached
 * pipeline never pays for ONNX Runtime, DuckDB or the other commands); help, completion and unknown commands (for
 * did-you-mean) load every command's spec. Exit codes: 0 ok, 1 a node failed, 2 bad input.
 */
import { loadAllSpecs, loadSpec } from './command-registry.js';
import { runProgram } from './program.js';

export async function main(argv: readonly string[]): Promise<number> {
  const first = argv[0];
  if (first === '-v' || first === '--version') return runProgram([], argv);
  const one = first === undefined || first === 'help' ? undefined : await loadSpec(first);
  return runProgram(one ? [one] : await loadAllSpecs(), argv);
}
