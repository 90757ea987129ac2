/** Query tables show whatever a record holds (model outputs, crafted rows) without letting it drive the terminal. */
import { describe, expect, it } from 'vitest';
import { formatCsv, formatJson, formatTable } from '../../src/cli/table-format.js';

describe('formatTable', () => {
  it('shows control characters and bidi overrides as visible symbols; CSV and JSON keep the exact value', () => {
    const value = 'a\u001b]0;owned\u0007\u001b[2J\u202eb\nc';
    const table = formatTable(['v'], [[value]]);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(table).toContain('a␛]0;owned␇␛[2J\ufffdb\\nc');
    expect(formatJson(['v'], [[value]])).toBe(`${JSON.stringify([{ v: value }])}\n`);
    expect(formatCsv(['v'], [[value]])).toBe(`v\n"${value}"\n`);
  });
});
