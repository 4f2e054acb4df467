import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/error-text.js';

describe('errorText', () => {
  it('is the message of an Error (subclasses included) and String() of anything else', () => {
    class Refused extends Error {}
    const cases: [unknown, string][] = [
      [new Error('boom'), 'boom'],
      [new TypeError('not a function'), 'not a function'],
      [new Refused('no'), 'no'],
      [new Error(''), ''],
      ['plain string', 'plain string'],
      [42, '42'],
      [undefined, 'undefined'],
      [null, 'null'],
      [{ toString: () => 'custom' }, 'custom'],
    ];
    for (const [thrown, text] of cases) expect(errorText(thrown)).toBe(text);
  });
});
