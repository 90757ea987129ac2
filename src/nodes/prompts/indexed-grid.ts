/**
 * A character grid with its coordinates: a header of column indices (digits repeat after 9), then every row
 * prefixed by its index. Shared by the Sokoban route CoT and the generic corpus's grid documents, so that what the
 * corpus teaches to read is exactly what the CoT writes.
 *
 *     0123
 *   0 ....
 *   1 .%..
 */
export function indexedRows(rows: readonly string[]): string[] {
  const cols = Math.max(0, ...rows.map((r) => [...r].length));
  const header = `  ${Array.from({ length: cols }, (_, c) => String(c % 10)).join('')}`;
  return [header, ...rows.map((row, r) => `${r} ${row}`)];
}
