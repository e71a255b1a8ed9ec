import fc from 'fast-check';

/** Text without NUL or leading/trailing whitespace (XML paths trim; the wire keeps it). */
export const text = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .map((s) => s.replace(/\0/g, '').trim());

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
