import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePushXml } from '../../src/codec/compile.js';
import { decodeCo, encodeCo } from '../../src/codec/wbxml/co.js';
import { dateFromOpaque, dateToOpaque } from '../../src/codec/wbxml/opaqueDate.js';
import { decodeSi, encodeSi } from '../../src/codec/wbxml/si.js';
import { decodeSl, encodeSl } from '../../src/codec/wbxml/sl.js';
import { hex, loadFixtures, thrown } from '../helpers.js';

const fixture = (name: string) =>
  loadFixtures<{ body: string; sourceXml?: string }>('wbxml').find((f) => f.file === name)!;
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SI encoder (WAP-167)', () => {
  it('compiles the WAP-167 example to the same octets as the published tokenisation', () => {
    const si = encodeSi({
      href: 'http://www.xyz.com/email/123/abc.wml',
      created: '1999-06-25T15:23:15Z',
      expires: '1999-06-30T00:00:00Z',
      text: 'You have 4 new emails',
    });
    expect(toHex(si)).toBe(fixture('si-href-dates.json').body);
  });
  it('compiles the XML a push initiator sends (prefix/suffix tokens, OPAQUE dates)', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE si PUBLIC "-//WAPFORUM//DTD SI 1.0//EN" "http://www.wapforum.org/DTD/si.dtd">
<si>
  <indication href="http://www.xyz.com/email/123/abc.wml" created="1999-06-25T15:23:15Z" si-expires="1999-06-30T00:00:00Z">
    You have 4 new emails
  </indication>
</si>`;
    const out = compilePushXml(xml);
    expect(out.contentType).toBe('application/vnd.wap.sic');
    expect(toHex(out.body)).toBe(fixture('si-href-dates.json').body);
  });
  it('puts a repeated string in the string table and reads it back', () => {
    const doc = {
      href: 'https://example.org/a',
      text: 'same words here',
      items: [{ class: 'c', text: 'same words here' }],
    };
    const b = encodeSi(doc);
    expect(b[3]).toBeGreaterThan(0); // string table length
    expect(decodeSi(b)).toMatchObject({ text: 'same words here', items: [{ class: 'c', text: 'same words here' }] });
  });
  it('writes the action only when it is not the default, and reads the default back', () => {
    expect(decodeSi(encodeSi({ href: 'http://a/', text: '' })).action).toBe('signal-medium');
    expect(decodeSi(encodeSi({ href: 'http://a/', text: '', action: 'delete', siId: 'x' }))).toMatchObject({
      action: 'delete',
      siId: 'x',
    });
  });
  it('rejects a root that is not <si> with BAD_DOCUMENT', () => {
    expect(thrown(() => decodeSi(hex('02066a00' + '05'))).code).toBe('BAD_DOCUMENT'); // SL public id
    expect(thrown(() => decodeSi(hex('02016a00' + '46' + '01'))).code).toBe('BAD_DOCUMENT'); // root <indication>
    expect(thrown(() => compilePushXml('<foo/>')).code).toBe('BAD_DOCUMENT');
  });
});

describe('SI OPAQUE dates (WAP-167 8.2.2)', () => {
  it('trailing zero octets are trimmed on encode and restored on decode', () => {
    expect(toHex(dateToOpaque('1999-06-30T00:00:00Z'))).toBe('19990630');
    expect(toHex(dateToOpaque('2011-11-22T10:00:00Z'))).toBe('2011112210');
    expect(dateFromOpaque(hex('20111122'), 0)).toBe('2011-11-22T00:00:00Z');
  });
  it('encodes what the ISO pattern takes, and normalizes or refuses the rest, as a regex reference does', () => {
    // Whether the calendar has the date and time as written: Date rolls a day that is not there over.
    const exists = (y: string, mo: string, d: string, h: string, mi: string, s = '00'): boolean => {
      if (+mo < 1 || +mo > 12 || +h > 23 || +mi > 59 || +s > 59) return false;
      const t = new Date(0);
      t.setUTCFullYear(+y, +mo - 1, +d);
      return t.getUTCMonth() === +mo - 1 && t.getUTCDate() === +d;
    };
    // Reference: the canonical form by regex, its 14 digits as 7 BCD octets, trailing zero octets dropped.
    const reference = (iso: string): string | undefined => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(iso);
      return m && exists(m[1], m[2], m[3], m[4], m[5], m[6])
        ? m
            .slice(1)
            .join('')
            .replace(/(?:00)+$/, '')
            .padEnd(2, '0')
        : undefined;
    };
    const canonical = fc
      .date({ min: new Date(0), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })
      .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    fc.assert(
      fc.property(canonical, (iso) => {
        expect(toHex(dateToOpaque(iso))).toBe(reference(iso));
      }),
      { numRuns: 500 },
    );
    // One character changed: still canonical (a digit for a digit) or else normalized or refused, never misread.
    const mutated = fc
      .tuple(canonical, fc.nat(19), fc.integer({ min: 0x20, max: 0x7e }))
      .map(([iso, i, c]) => iso.slice(0, i) + String.fromCharCode(c) + iso.slice(i + 1));
    fc.assert(
      fc.property(mutated, (iso) => {
        const want = reference(iso);
        if (want !== undefined) expect(toHex(dateToOpaque(iso))).toBe(want);
        else {
          const m =
            /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/.exec(iso);
          const ms =
            m && exists(m[1], m[2], m[3], m[4], m[5], m[6]) && (m[7] ?? '0') <= '23' && (m[8] ?? '0') <= '59'
              ? Date.parse(iso)
              : NaN;
          if (Number.isNaN(ms)) expect(thrown(() => dateToOpaque(iso)).code).toBe('BAD_INPUT');
          else expect(toHex(dateToOpaque(iso))).toBe(reference(new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')));
        }
      }),
      { numRuns: 2_000 },
    );
    expect(toHex(dateToOpaque('2011-11-22T10:00+01:00'))).toBe('2011112209');
  });
  it('non-BCD octets and more than 7 octets are BAD_VALUE', () => {
    expect(thrown(() => dateFromOpaque(hex('1a'), 3)).code).toBe('BAD_VALUE');
    expect(thrown(() => dateFromOpaque(hex('2011112210000000'), 3)).code).toBe('BAD_VALUE');
  });
});

describe('SL encoder (WAP-168)', () => {
  it('compiles to the same octets as the Gecko test vector (WBXML 1.3)', () => {
    expect(toHex(encodeSl({ href: 'http://www.oreilly.com/' }, { version: 0x03 }))).toBe(fixture('sl.json').body);
  });
  it('action round-trips; a missing href is BAD_DOCUMENT', () => {
    expect(decodeSl(encodeSl({ href: 'https://x.org/', action: 'cache' }))).toEqual({
      type: 'sl',
      href: 'https://x.org/',
      action: 'cache',
    });
    expect(thrown(() => compilePushXml('<sl/>')).code).toBe('BAD_DOCUMENT');
  });
});

describe('CO encoder (WAP-175)', () => {
  it('objects and services round-trip with their URI tokens', () => {
    const co = { objects: ['http://www.example.com/a', 'https://b.net/c'], services: ['http://svc.org/'] };
    const b = encodeCo(co);
    // invalidate-object with attrs (0x86), uri="http://www." (0x07): the token the table gives
    expect(toHex(b)).toContain('8607');
    expect(decodeCo(b)).toEqual({ type: 'co', ...co });
  });
  it('compiles CO XML', () => {
    const out = compilePushXml(
      '<co><invalidate-object uri="http://www.x.com/y"/><invalidate-service uri="http://www.x.com/"/></co>',
    );
    expect(out.contentType).toBe('application/vnd.wap.coc');
    expect(decodeCo(out.body)).toEqual({
      type: 'co',
      objects: ['http://www.x.com/y'],
      services: ['http://www.x.com/'],
    });
  });
});
