import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { decodeWbxml } from '../../src/codec/wbxml/tree.js';
import { SI } from '../../src/codec/wbxml/vocabularies.js';
import { hex, loadFixtures, thrown } from '../helpers.js';

interface BodyFixture {
  description: string;
  source: string;
  contentType: string;
  body: string;
  expect: Record<string, unknown>;
}

describe("SI / SL bodies from another implementation's test suite (Gecko)", () => {
  // Two of Gecko's vectors are <si/>: no <indication>, which WAP-167's DTD requires (issue 20).
  const warned: Record<string, Array<{ code: string; offset: number }>> = {
    'si-empty.json': [{ code: 'MISSING_REQUIRED', offset: 4 }],
    'si-public-id-in-string-table.json': [{ code: 'MISSING_REQUIRED', offset: 33 }],
  };
  for (const f of loadFixtures<BodyFixture>('wbxml')) {
    it(`${f.file}`, () => {
      const { warnings, ...doc } = decodeBody(f.contentType, {}, hex(f.body));
      expect(doc).toEqual(f.expect);
      expect(warnings?.map(({ code, offset }) => ({ code, offset }))).toEqual(warned[f.file]);
    });
  }
});

describe('WBXML tokenizer and tree (WAP-192 WBXML 1.3)', () => {
  const head = '03016a00'; // version 1.3, unknown public id, UTF-8, empty string table
  it('generic decode without a vocabulary names tokens synthetically', () => {
    const doc = decodeWbxml(hex(head + '4503616200' + '01'));
    expect(doc.header.version).toBe('1.3');
    expect(doc.root).toEqual({ name: 'tag-0-0x05', attributes: [], children: ['ab'] });
  });
  it('SWITCH_PAGE, ENTITY, OPAQUE, EXT and PI in content', () => {
    const doc = decodeWbxml(
      hex(
        head +
          '45' +
          '0001' +
          '06' + // SWITCH_PAGE 1, empty tag 0x06
          '028169' + // ENTITY U+00E9 (uintvar 81 69)
          'c302abcd' + // OPAQUE 2 octets
          'c2' +
          '40787900' + // EXT_2, EXT_I_0 "xy"
          '43' +
          '05' +
          '037600' +
          '01' + // PI: target token 05, value "v", END
          '01',
      ),
    );
    expect(doc.root.children).toEqual([
      { name: 'tag-1-0x06', attributes: [], children: [] },
      'é',
      { opaque: hex('abcd') },
      { extension: 2, form: '0', value: '' },
      { extension: 0, form: 'i', value: 'xy' },
      { pi: 'attr-0-0x05', value: 'v' },
    ]);
  });
  it('LITERAL tags take their name from the string table', () => {
    const doc = decodeWbxml(hex('03016a' + '04' + '666f6f00' + '44' + '00' + '01'));
    expect(doc.root.name).toBe('foo');
  });
  it('ENTITY adds the character; OPAQUE content is kept as octets', () => {
    const doc = decodeWbxml(hex(head + '45' + '028169' + 'c302abcd' + '01'));
    expect(doc.root.children[0]).toBe('é');
    expect(doc.root.children[1]).toEqual({ opaque: hex('abcd') });
  });
  it('a string table reference outside the table is BAD_STRING_TABLE_REF', () => {
    const e = thrown(() => decodeWbxml(hex('03016a' + '02' + '6100' + '45' + '8305' + '01')));
    expect(e.code).toBe('BAD_STRING_TABLE_REF');
    expect(e.offset).toBe(7);
  });
  it('an END with nothing open, or a missing END, is a structure error', () => {
    expect(thrown(() => decodeWbxml(hex(head + '01'))).code).toBe('BAD_STRUCTURE');
    expect(thrown(() => decodeWbxml(hex(head + '45' + '0361' + '00'))).code).toBe('TRUNCATED');
  });
  it('a token the vocabulary does not define is UNKNOWN_TOKEN at its offset', () => {
    const e = thrown(() => decodeWbxml(hex('02056a00' + '7f'), { vocabulary: SI }));
    expect(e.code).toBe('UNKNOWN_TOKEN');
    expect(e.offset).toBe(4);
  });
  it('an unknown charset MIBenum is UNKNOWN_CHARSET, not a guess', () => {
    const e = thrown(() => decodeWbxml(hex('0301' + '8f7f' + '00' + '05')));
    expect(e.code).toBe('UNKNOWN_CHARSET');
    expect(e.offset).toBe(2);
  });
  it('ISO-8859-1 and UTF-16 documents decode through their charset', () => {
    const latin = decodeWbxml(hex('030104' + '00' + '45' + '03e900' + '01'));
    expect(latin.root.children).toEqual(['é']);
    const utf16 = decodeWbxml(hex('0301' + '8777' + '00' + '45' + '03' + '00e90041' + '0000' + '01'));
    expect(utf16.root.children).toEqual(['éA']);
  });
  it('maxDepth, maxNodes and maxStringLength are enforced with LIMIT', () => {
    const deep = hex(head + '45'.repeat(10) + '01'.repeat(10));
    expect(thrown(() => decodeWbxml(deep, { limits: { maxDepth: 5 } })).code).toBe('LIMIT');
    expect(decodeWbxml(deep, { limits: { maxDepth: 10 } }).root.name).toBe('tag-0-0x05');
    const many = hex(head + '45' + '05'.repeat(20) + '01');
    expect(thrown(() => decodeWbxml(many, { limits: { maxNodes: 10 } })).code).toBe('LIMIT');
    const long = hex(head + '45' + '03' + '61'.repeat(100) + '00' + '01');
    expect(thrown(() => decodeWbxml(long, { limits: { maxStringLength: 50 } })).code).toBe('LIMIT');
  });
  it('octets after the root element are ignored and counted', () => {
    expect(decodeWbxml(hex(head + '05' + '0000')).trailing).toBe(2);
  });
  it('a document that is only a header has no root: TRUNCATED', () => {
    expect(thrown(() => decodeWbxml(hex(head))).code).toBe('TRUNCATED');
  });
});

describe('NUL scan of WBXML strings (strings.ts: a loop, then indexOf past 64 octets)', () => {
  const ascii = (n: number) => Array.from({ length: n }, (_, i) => 0x61 + (i % 26));
  // <si> with one STR_I of `n` octets as content: version 1.3, SI public id, UTF-8, no string table.
  const doc = (n: number, terminated = true) =>
    Uint8Array.from([0x03, 0x05, 0x6a, 0x00, 0x45, 0x03, ...ascii(n), ...(terminated ? [0x00] : []), 0x01]);

  it("reads inline strings on both sides of the loop's end", () => {
    for (const n of [0, 1, 63, 64, 65, 66, 200, 5000]) {
      const root = decodeWbxml(doc(n), { vocabulary: SI }).root;
      expect(root.children).toEqual(n ? [String.fromCharCode(...ascii(n))] : ['']);
    }
  });

  it("does not take a NUL after the input's end, long or short, as the terminator", () => {
    for (const n of [10, 64, 65, 300]) {
      // The document is a view that stops inside the string; the buffer behind it goes on to a NUL.
      const whole = Uint8Array.from([...doc(n, false).subarray(0, -1), ...ascii(10), 0x00, 0x01]);
      const view = whole.subarray(0, 6 + n);
      expect(thrown(() => decodeWbxml(view, { vocabulary: SI }))).toMatchObject({ code: 'TRUNCATED' });
    }
  });

  it("does not take a NUL past the string table as a table string's terminator", () => {
    for (const n of [5, 64, 100]) {
      // String table of n octets without a NUL; the body after it starts with STR_T 0 in the root.
      const b = Uint8Array.from([
        0x03,
        0x05,
        0x6a,
        ...(n < 128 ? [n] : [0x80 | (n >> 7), n & 0x7f]),
        ...ascii(n),
        0x45,
        0x83,
        0x00,
        0x01,
      ]);
      expect(thrown(() => decodeWbxml(b, { vocabulary: SI }))).toMatchObject({ code: 'BAD_STRING_TABLE_REF' });
    }
  });
});
