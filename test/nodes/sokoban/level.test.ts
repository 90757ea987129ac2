import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LevelParseError, levelToXsb, parseLevel, splitCollection, tryParseLevel } from '../../../src/nodes/sokoban/level.js';
import { renderGrid, renderGridCompact } from '../../../src/nodes/sokoban/render.js';

const XSB = ['#######', '#@ $ .#', '# *   #', '#######'].join('\n');

function parseError(text: string): LevelParseError {
  const r = tryParseLevel(text);
  if (r.ok) throw new Error('expected a parse error');
  return r.error;
}

describe('parseLevel (XSB)', () => {
  it('reads walls, player, boxes and targets', () => {
    const l = parseLevel(XSB);
    expect([l.rows, l.cols]).toEqual([4, 7]);
    expect(l.player).toBe(1 * 7 + 1);
    expect(l.boxes).toEqual([1 * 7 + 3, 2 * 7 + 2]);
    expect(l.targets[1 * 7 + 5]).toBe(1);
    expect(l.targets[2 * 7 + 2]).toBe(1);
  });

  it('round-trips through levelToXsb and renders the paper symbols', () => {
    const l = parseLevel(XSB);
    expect(levelToXsb(l)).toBe(XSB);
    expect(renderGridCompact(l)).toBe(['#######', '#P_X_O#', '#_V___#', '#######'].join('\n'));
    expect(renderGrid(l).split('\n')[1]).toBe(' # \t P \t _ \t X \t _ \t O \t # \t');
  });

  it('writes one byte per cell in compact grids (a box on a target is V, not the 3-byte √) and reads them back', () => {
    const l = parseLevel(['######', '#@*$.#', '######'].join('\n'));
    const rows = renderGridCompact(l).split('\n');
    expect(rows.map((r) => Buffer.byteLength(r))).toEqual([6, 6, 6]);
    expect(rows[1]).toBe('#PVXO#');
    expect(parseLevel(renderGridCompact(l))).toEqual(l);
  });

  it('accepts - and _ as floor, + as player on target, CRLF and comments', () => {
    const l = parseLevel('; a comment\r\n#####\r\n#+-$#\r\n#_*_#\r\n#####\r\n');
    expect(renderGridCompact(l)).toBe('#####\n#S_X#\n#_V_#\n#####');
  });

  it('pads ragged rows with walls and walls off the exterior', () => {
    const l = parseLevel(['  ####', '###  #', '#@$. #', '#####'].join('\n'));
    expect(renderGridCompact(l)).toBe(['######', '###__#', '#PXO_#', '######'].join('\n'));
  });

  it('reads the grid rendering, with or without separators', () => {
    const l = parseLevel(XSB);
    expect(levelToXsb(parseLevel(renderGrid(l)))).toBe(XSB);
    expect(levelToXsb(parseLevel(renderGridCompact(l)))).toBe(XSB);
  });

  it('reports located errors', () => {
    expect(parseError('#####\n#@$Q#\n#####').message).toBe(
      "line 2, column 4: unknown symbol 'Q' (XSB symbols are # @ + $ * . space - _)",
    );
    expect(parseError('#####\n#@$.#\n# @ #\n#####').message).toBe(
      'line 3, column 3: a second player (the first is at line 2, column 2); a level has one player',
    );
    expect(parseError('#####\n# $.#\n#####').message).toMatch(/no player/);
    expect(parseError('######\n#@$$.#\n######').message).toBe('2 box(es) but 1 target(s); they must be equal');
    expect(parseError('#####\n#@ .#\n#####').message).toMatch(/no boxes/);
    expect(parseError('').message).toMatch(/empty level/);
    const mixed = parseError('#####\n#@X.#\n#####');
    expect([mixed.line, mixed.col]).toEqual([2, 3]);
    expect(parseError(' # \t P \t Q \t').message).toMatch(/^line 1, column 10: unknown symbol 'Q'/);
  });

  it('splits a level collection with titles', () => {
    const text = 'Title: one\n\n#####\n#@$.#\n#####\n\n; two\n####\n#@*#\n####\n';
    const parts = splitCollection(text);
    expect(parts.map((p) => p.line)).toEqual([3, 8]);
    expect(parts.map((p) => parseLevel(p.text).boxes.length)).toEqual([1, 1]);
  });

  it('never crashes on random text: it parses or returns a located error', () => {
    const alphabet = fc.constantFrom('#', '@', '+', '$', '*', '.', ' ', '-', '_', '\n', '\t', 'P', 'X', 'O', 'S', '√', 'V', 'Q', '\r', ';');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 80 }).map((a) => a.join(''))), (text) => {
        const r = tryParseLevel(text);
        if (r.ok) {
          expect(r.level.boxes.length).toBeGreaterThan(0);
          const again = parseLevel(levelToXsb(r.level));
          expect([again.rows, again.cols, again.player, again.boxes, again.targets]).toEqual([
            r.level.rows,
            r.level.cols,
            r.level.player,
            r.level.boxes,
            r.level.targets,
          ]);
          expect(parseLevel(levelToXsb(again))).toEqual(again);
        } else {
          expect(r.error).toBeInstanceOf(LevelParseError);
          expect(r.error.line).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
