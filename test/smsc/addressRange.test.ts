import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddressRange,
  AddressRangeError,
  MAX_ADDRESS_RANGE_LENGTH,
  MAX_PROGRAM_SIZE,
} from '../../src/smsc/addressRange.js';

// Written by hand from the UNIX (POSIX ERE) meaning: a pattern matches when it matches some
// part of the address; ^ and $ pin it to the start and the end.
const table: Array<[pattern: string, address: string, matches: boolean]> = [
  ['^1234', '12345678', true],
  ['^1234', '51234', false],
  ['5678$', '12345678', true],
  ['5678$', '56789', false],
  ['1234', 'x12345', true],
  ['1234', '1243', false],
  ['^\\+4477', '+447700900123', true],
  ['^\\+4477', '447700900123', false],
  ['^\\+44(77|78)[0-9]*$', '+447812', true],
  ['^\\+44(77|78)[0-9]*$', '+447912', false],
  ['^\\+44(77|78)[0-9]*$', '+4477a', false],
  ['[13579]$', '1233', true],
  ['[13579]$', '1234', false],
  ['^[^0]', '0123', false],
  ['^[^0]', '123', true],
  ['^12?3$', '13', true],
  ['^12?3$', '123', true],
  ['^12?3$', '1223', false],
  ['^(12)+$', '121212', true],
  ['^(12)+$', '12121', false],
  ['^(12)+$', '', false],
  ['^1.3$', '1x3', true],
  ['^1.3$', '13', false],
  ['^1.3$', '1\u00e93', true], // '.' takes any character, ASCII or not
  ['^[^5]$', '\u00e9', true],
  ['^[0-9]{3}$', '123', true],
  ['^[0-9]{3}$', '1234', false],
  ['^[0-9]{3}$', '12', false],
  ['^[0-9]{2,3}$', '12', true],
  ['^[0-9]{2,3}$', '1234', false],
  ['^9{2,}$', '9', false],
  ['^9{2,}$', '99', true],
  ['^9{2,}$', '99999', true],
  ['^9{0}$', '', true],
  ['^[[:digit:]]+$', '0123', true],
  ['^[[:digit:]]+$', '01a', false],
  ['^\\d+$', '0123', true],
  ['^\\d+$', '+0123', false],
  ['^$', '', true],
  ['^$', '1', false],
  ['$^', '', true],
  ['^x*$', '', true],
  ['a|b', 'xbx', true],
  ['a|b', 'xcx', false],
  ['^(1|2)(3|4)$', '24', true],
  ['^(1|2)(3|4)$', '25', false],
  ['^[-+]?1', '-1', true],
  ['^[-+]?1', '+1', true],
  ['^[-+]?1', '1', true],
  ['^[-+]?1', '*1', false],
  ['^[]1]$', ']', true],
  ['^[a-c-]$', '-', true],
  ['^[a-c-]$', 'b', true],
  ['^[a-c-]$', 'd', false],
  ['(^1|2$)', '13', true],
  ['(^1|2$)', '32', true],
  ['(^1|2$)', '31', false],
  ['^(a*)*$', 'aaa', true],
  ['^(a*)*$', 'aab', false],
  ['^(a|ab)(c|bcd)$', 'abcd', true],
  ['^\\.\\*\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\?\\+$', '.*()[]{}|^$\\?+', true],
];

describe('address_range matcher: hand-written table', () => {
  it.each(table)('%j on %j -> %s', (pattern, address, expected) => {
    expect(AddressRange.compile(pattern).matches(address)).toBe(expected);
  });
});

const refused: Array<[pattern: string, code: string, offset: number]> = [
  ['1'.repeat(MAX_ADDRESS_RANGE_LENGTH + 1), 'TOO_LONG', MAX_ADDRESS_RANGE_LENGTH],
  ['', 'SYNTAX', 0],
  ['(12', 'SYNTAX', 3],
  ['12)', 'SYNTAX', 2],
  ['*1', 'SYNTAX', 0],
  ['1|*', 'SYNTAX', 2],
  ['[12', 'SYNTAX', 0],
  ['[9-0]', 'SYNTAX', 1],
  ['1||2', 'SYNTAX', 2],
  ['()', 'SYNTAX', 1],
  ['1{2', 'SYNTAX', 1],
  ['1{3,2}', 'SYNTAX', 1],
  ['1}', 'SYNTAX', 1],
  ['\\', 'SYNTAX', 1],
  ['(?=1)2', 'UNSUPPORTED', 1],
  ['\\w', 'UNSUPPORTED', 0],
  ['(1)\\1', 'UNSUPPORTED', 3],
  ['[\\d]', 'UNSUPPORTED', 1],
  ['[[:alpha:]]', 'UNSUPPORTED', 1],
  ['12\u00e9', 'UNSUPPORTED', 2],
  ['1\n', 'UNSUPPORTED', 1],
  ['1{101}', 'TOO_LARGE', 1],
  ['((1{100}){100})', 'TOO_LARGE', 0],
];

describe('address_range matcher: what it refuses, with a typed error', () => {
  it.each(refused)('%j -> %s at %i', (pattern, code, offset) => {
    let error: unknown;
    try {
      AddressRange.compile(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AddressRangeError);
    expect((error as AddressRangeError).toJSON()).toMatchObject({ code, offset });
  });
  it('names the limit in the message', () => {
    expect(() => AddressRange.compile('((1{100}){100})')).toThrow(new RegExp(`over ${MAX_PROGRAM_SIZE}`));
  });
});

describe('address_range matcher: linear time', () => {
  // Each of these makes a backtracking engine take time exponential in the address length.
  const pathological = [
    '(\\d+)+y',
    '([0-9]+)+y',
    '(a|a)*b',
    '(a*)*b',
    '(x+x+)+y',
    '^(\\d+)*$',
    '(([0-9]{1,10}){1,10})+x',
  ];
  for (const pattern of pathological) {
    it(`${pattern} on long addresses stays within (length + 1) x 2 x states steps`, () => {
      const range = AddressRange.compile(pattern);
      for (const address of [
        '1'.repeat(27) + '!',
        '1'.repeat(10_000) + '!',
        'a'.repeat(10_000) + '!',
        'x'.repeat(10_000) + '!',
      ]) {
        range.steps = 0;
        expect(range.matches(address)).toBe(false);
        expect(range.steps).toBeLessThanOrEqual(range.maxSteps(address));
      }
    });
  }
  it('a pattern that starts with ^ stops reading once no thread is left', () => {
    const range = AddressRange.compile('^\\+4477');
    range.steps = 0;
    expect(range.matches('4'.repeat(64))).toBe(false);
    expect(range.steps).toBeLessThanOrEqual(2 * range.states);
  });
  it('the same patterns still match what they describe, and the issue 18 case does not', () => {
    expect(AddressRange.compile('(\\d+)+y').matches('1'.repeat(27))).toBe(false);
    expect(AddressRange.compile('(\\d+)+y').matches('1'.repeat(27) + 'y')).toBe(true);
    expect(AddressRange.compile('^(\\d+)*$').matches('1'.repeat(1000))).toBe(true);
    expect(AddressRange.compile('(x+x+)+y').matches('x'.repeat(1000) + 'y')).toBe(true);
  });
});

describe('address_range matcher agrees with another engine (JavaScript RegExp) on short inputs', () => {
  // Patterns drawn from the part of the grammar both read the same way, over a small
  // alphabet so that matches are common; addresses short enough for backtracking to be quick.
  const alphabet = ['1', '2', '+'];
  const atom: fc.Arbitrary<string> = fc.oneof(
    fc.constantFrom('1', '2', '\\+', '.', '[12]', '[^1]', '[0-9]', '\\d', '^', '$'),
  );
  const pattern = fc
    .letrec<{ expr: string; piece: string }>((tie) => ({
      // One quantifier at most per piece: JavaScript refuses `1**`, POSIX leaves it undefined.
      piece: fc
        .tuple(
          fc.oneof(
            { depthSize: 'small', withCrossShrink: true },
            atom,
            tie('expr').map((e) => `(${e})`),
          ),
          fc.constantFrom('', '', '*', '+', '?', '{2}', '{0,2}', '{1,}'),
        )
        .map(([p, q]) => (p === '^' || p === '$' ? p : p + q)),
      expr: fc
        .array(
          fc.array(tie('piece'), { minLength: 1, maxLength: 4 }).map((ps) => ps.join('')),
          {
            minLength: 1,
            maxLength: 3,
          },
        )
        .map((bs) => bs.join('|')),
    }))
    .expr.filter((p) => p.length <= MAX_ADDRESS_RANGE_LENGTH);
  it('on 1,000 random pattern/address pairs', () => {
    fc.assert(
      fc.property(pattern, fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }), (p, chars) => {
        const address = chars.join('');
        expect(AddressRange.compile(p).matches(address)).toBe(new RegExp(p).test(address));
      }),
      { numRuns: 1_000 },
    );
  });
});
