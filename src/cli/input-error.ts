/**
 * Bad input to a command that parses its own arguments (`pipe sokoban`, `pipe gp`, `pipe model`): the message is
 * printed after the command's name and the exit code is 2, like every other usage error.
 */
export class InputError extends Error {}

/** Whether `e` is the user's mistake: an InputError or a `node:util` parseArgs rejection (unknown or bad option). */
export function isInputError(e: unknown): e is Error {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof InputError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
}
