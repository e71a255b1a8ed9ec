/** Generators of valid structures (documents, PDUs), shared by the fuzz campaigns and the tests. */
import fc from 'fast-check';
import { resolveLimits } from '../src/codec/limits.js';

/** Text without NUL or leading/trailing whitespace (XML paths trim; the wire keeps it). */
export const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\0/g, '').trim());

const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
export const url = fc
  .tuple(
    fc.constantFrom('http://', 'https://', 'http://www.', 'https://www.', 'ftp://', ''),
    host,
    fc.constantFrom('.com/', '.edu/', '.net/', '.org/', '.de/', '/'),
    fc.stringMatching(/^[a-z0-9/._~&=?-]{0,24}$/),
  )
  .map(([a, b, c, d]) => a + b + c + d);

export const isoDate = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));

export const si = fc.record(
  {
    href: url,
    siId: fc.stringMatching(/^[a-zA-Z0-9@._-]{1,20}$/),
    created: isoDate,
    expires: isoDate,
    action: fc.constantFrom('signal-none', 'signal-low', 'signal-medium', 'signal-high', 'delete' as const),
    text,
    items: fc.array(fc.record({ class: fc.stringMatching(/^[a-z]{1,8}$/), text }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['text'] },
);

export const sl = fc.record({ href: url, action: fc.constantFrom('execute-low', 'execute-high', 'cache' as const) });

export const co = fc
  .record({ objects: fc.array(url, { maxLength: 4 }), services: fc.array(url, { maxLength: 4 }) })
  .filter((c) => c.objects.length + c.services.length > 0);

const PROV_TYPES = [
  'PXLOGICAL',
  'PXPHYSICAL',
  'PORT',
  'VALIDITY',
  'NAPDEF',
  'BOOTSTRAP',
  'VENDORCONFIG',
  'CLIENTIDENTITY',
  'PXAUTHINFO',
  'NAPAUTHINFO',
  'ACCESS',
  'APPLICATION',
  'APPADDR',
  'APPAUTH',
  'RESOURCE',
  'X-VENDOR',
];
const PROV_NAMES = [
  'NAME',
  'NAP-ADDRESS',
  'NAP-ADDRTYPE',
  'BEARER',
  'NAPID',
  'PROXY-ID',
  'PXADDR',
  'PXADDRTYPE',
  'PORTNBR',
  'SERVICE',
  'APPID',
  'TO-NAPID',
  'TO-PROXY',
  'ADDR',
  'AAUTHTYPE',
  'URI',
  'STARTPAGE',
  'X-CUSTOM',
];
const PROV_VALUES = [
  'IPV4',
  'GSM-GPRS',
  'APN',
  'CL-WSP',
  'HTTP-DIGEST',
  'w2',
  'w4',
  'internet',
  '9201',
  '10.0.0.1',
  'http://mms.example.com/',
];

type Characteristic = {
  type: string;
  parms: Array<{ name: string; value?: string }>;
  characteristics: Characteristic[];
};
const parm = fc
  .record({
    name: fc.constantFrom(...PROV_NAMES),
    value: fc.option(
      fc.oneof(
        fc.constantFrom(...PROV_VALUES),
        text.filter((t) => t.length > 0),
      ),
      { nil: undefined },
    ),
  })
  .map((p) => (p.value === undefined ? { name: p.name } : p));
const characteristic: fc.Arbitrary<Characteristic> = fc.letrec<{ c: Characteristic }>((tie) => ({
  c: fc.record({
    type: fc.constantFrom(...PROV_TYPES),
    parms: fc.array(parm, { maxLength: 4 }),
    characteristics: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant([] as Characteristic[]),
      fc.array(tie('c'), { maxLength: 2 }),
    ),
  }),
})).c;

/** Provisioning documents over both code pages, with names and values outside the tables too. */
export const provisioning = fc
  .record({
    version: fc.option(fc.constant('1.0'), { nil: undefined }),
    characteristics: fc.array(characteristic, { minLength: 1, maxLength: 3 }),
  })
  .map((d) => (d.version === undefined ? { characteristics: d.characteristics } : d));

export const emn = fc
  .record({
    mailbox: fc
      .tuple(
        fc.constantFrom('mailat:', 'pop://', 'imap://', 'http://', 'https://www.', 'x-mail:'),
        fc.stringMatching(/^[a-z0-9@._-]{1,20}$/),
        fc.constantFrom('.com', '.org', ''),
      )
      .map(([a, b, c]) => a + b + c),
    timestamp: fc.option(isoDate, { nil: undefined }),
  })
  .map((e) => (e.timestamp === undefined ? { mailbox: e.mailbox } : e));

/** Limits small enough for generated documents to reach each of them (the decoders' LIMIT paths). */
export const tightLimits = fc
  .record({
    maxDocumentSize: fc.integer({ min: 1, max: 400 }),
    maxDepth: fc.integer({ min: 1, max: 4 }),
    maxStringLength: fc.integer({ min: 0, max: 80 }),
    maxAttributes: fc.integer({ min: 0, max: 8 }),
    maxNodes: fc.integer({ min: 1, max: 40 }),
  })
  .map((l) => resolveLimits(l));
