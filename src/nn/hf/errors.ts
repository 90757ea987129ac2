/**
 * A Hugging Face model folder that pipe cannot use: a missing or truncated file, a header or config it cannot read,
 * a tensor whose shape disagrees with the config, an architecture it does not build. Always names the file, so the
 * command line can print one line and exit 2 before any training starts.
 */
export class HfModelError extends Error {
  override readonly name = 'HfModelError';
  constructor(
    /** The file (or folder) at fault, as the user gave it. */
    readonly file: string,
    /** What is wrong with it, without the file name. */
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
