/**
 * Reads the text pairs of an SFT dataset whatever task wrote it: Sokoban's `prompt`/`response` or General Points'
 * `question`/`answer` (docs/paper.md §6 schemas). A chat-style prompt (list of {role, content}) uses its last message.
 */

/** One training example as text. */
export interface TextPair {
  readonly prompt: string;
  readonly response: string;
}

function asText(value: unknown, column: string, row: number): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length > 0) {
    const last = value[value.length - 1] as { content?: unknown } | undefined;
    if (last !== undefined && typeof last.content === 'string') return last.content;
  }
  throw new Error(`SFT dataset row ${row}: column '${column}' is neither a string nor a list of {role, content}`);
}

/** Extracts text pairs from rows; fails naming the columns it looked for when the schema is not an SFT one. */
export function toTextPairs(rows: readonly Readonly<Record<string, unknown>>[]): TextPair[] {
  if (rows.length === 0) throw new Error('SFT dataset is empty');
  const first = rows[0] as Readonly<Record<string, unknown>>;
  const [pCol, rCol] =
    'prompt' in first && 'response' in first
      ? ['prompt', 'response']
      : 'question' in first && 'answer' in first
        ? ['question', 'answer']
        : [undefined, undefined];
  if (pCol === undefined || rCol === undefined) {
    throw new Error(
      `SFT dataset has columns [${Object.keys(first).join(', ')}]; expected prompt/response (Sokoban) or question/answer (General Points)`,
    );
  }
  return rows.map((r, i) => ({ prompt: asText(r[pCol], pCol, i), response: asText(r[rCol], rCol, i) }));
}
