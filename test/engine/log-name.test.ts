import { describe, expect, it } from 'vitest';
import { isLogOf, logFileName, logKeyPrefix } from '../../src/engine/store/log-name.js';

const key = 'ab12cd34ef56'.padEnd(64, '7');

describe('node log names', () => {
  it('name a log by its node id and the key prefix, in characters safe for a file name', () => {
    expect(logFileName(key, 'train')).toBe('train-ab12cd34ef56.log');
    expect(logFileName(key, 'eval[seed=1,lr=0.1]')).toBe('eval_seed=1,lr=0.1_-ab12cd34ef56.log');
    expect(logFileName(key, 'x/../y')).toBe('x_.._y-ab12cd34ef56.log');
    expect(logFileName(key)).toBe(`${key}.log`);
  });
  it('recognize both named logs and logs named by the key only', () => {
    expect(logKeyPrefix('train-ab12cd34ef56.log')).toBe('ab12cd34ef56');
    expect(logKeyPrefix(`${key}.log`)).toBe('ab12cd34ef56');
    expect(logKeyPrefix('notes.txt')).toBeUndefined();
    expect(isLogOf('eval_seed=1_-ab12cd34ef56.log', key)).toBe(true);
    expect(isLogOf(`${key}.log`, key)).toBe(true);
    expect(isLogOf('train-ffffffffffff.log', key)).toBe(false);
  });
});
