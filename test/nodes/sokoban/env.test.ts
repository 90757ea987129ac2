import { describe, expect, it } from 'vitest';
import { SokobanEnv } from '../../../src/nodes/sokoban/env.js';
import { parseLevel } from '../../../src/nodes/sokoban/level.js';
import { renderGridCompact } from '../../../src/nodes/sokoban/render.js';

const close = (a: number, b: number): void => expect(a).toBeCloseTo(b, 10);

describe('SokobanEnv', () => {
  it('pushes a box onto a target: -0.1 + 1 + 10, done and success', () => {
    const env = SokobanEnv.fromLevel(parseLevel('#####\n#@$.#\n#####'));
    const r = env.step('Right');
    close(r.reward, 10.9);
    expect([r.done, r.success, r.moved, r.pushed]).toEqual([true, true, true, true]);
    expect(renderGridCompact(env.state)).toBe('#####\n#_PV#\n#####');
    expect(() => env.step('Left')).toThrow(/done/);
  });

  it('charges a step for bumping a wall and for a blocked push, without moving', () => {
    const env = SokobanEnv.fromLevel(parseLevel('######\n#@$$.#\n#   .#\n######'));
    const wall = env.step('Up');
    close(wall.reward, -0.1);
    expect(wall.moved).toBe(false);
    const blocked = env.step('Right'); // box behind box
    close(blocked.reward, -0.1);
    expect(blocked.moved).toBe(false);
    expect(env.steps).toBe(2);
  });

  it('gives -1 for pushing a box off a target and +1 for one onto a target', () => {
    const off = SokobanEnv.fromLevel(parseLevel('#######\n#@* $.#\n#######'));
    const r = off.step('Right');
    close(r.reward, -1.1);
    expect([r.done, r.success, off.boxesOnTarget]).toEqual([false, false, 0]);
    expect(renderGridCompact(off.state)).toBe('#######\n#_SX$O#\n#######'.replace('$', 'X'));
    const on = SokobanEnv.fromLevel(parseLevel('########\n#@$.$. #\n########'));
    const r2 = on.step('Right');
    close(r2.reward, 0.9);
    expect([r2.done, r2.success, on.boxesOnTarget]).toEqual([false, false, 1]);
  });

  it('ends after maxSteps executed steps without success', () => {
    const env = SokobanEnv.fromLevel(parseLevel('######\n#@ $.#\n######'), { maxSteps: 2 });
    expect(env.step('Left').done).toBe(false);
    const r = env.step('Left');
    expect([r.done, r.success]).toEqual([true, false]);
    expect(env.done).toBe(true);
  });

  it('renders the player on a target as S and a box on a target as √', () => {
    const env = SokobanEnv.fromLevel(parseLevel('######\n#+$  #\n#  * #\n######'));
    expect(env.render().split('\n')[1]).toBe(' # \t S \t X \t _ \t _ \t # \t');
    expect(env.render().split('\n')[2]).toBe(' # \t _ \t _ \t √ \t _ \t # \t');
  });

  it('clone is independent', () => {
    const env = SokobanEnv.fromLevel(parseLevel('######\n#@ $.#\n######'));
    const copy = env.clone();
    copy.step('Right');
    expect(env.state.player).not.toBe(copy.state.player);
    expect(env.steps).toBe(0);
  });
});
