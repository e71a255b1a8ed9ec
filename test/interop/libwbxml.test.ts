/**
 * libwbxml (Debian `libwbxml2-utils`) as the peer: `xml2wbxml` compiles SI, SL, CO, provisioning
 * and EMN XML, and our decoder must read the same document out of its output (with and without
 * a string table, WBXML 1.1 to 1.3). The other direction, our encoder's output read by
 * `wbxml2xml`, is the differential suite of `npm test` (test/codec/differential.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import { co, emn, provisioning, si, sl } from '../../fuzz/arbitraries.js';
import { haveTool } from './helpers.js';

const run = haveTool('xml2wbxml', ['-h']) ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'wappush-xml2wbxml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function compile(xml: string, flags: string[]): Uint8Array {
  const input = join(dir, `${++n}.xml`);
  const output = join(dir, `${n}.wbxml`);
  writeFileSync(input, xml);
  execFileSync('xml2wbxml', [...flags, '-o', output, input], { stdio: 'pipe' });
  return readFileSync(output);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attrs = (o: Record<string, string | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v!)}"`)
    .join('');
const doctype = (root: string, id: string, dtd: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ${root} PUBLIC "${id}" "${dtd}">\n`;

type Si = {
  href?: string;
  siId?: string;
  created?: string;
  expires?: string;
  action?: string;
  text?: string;
  items?: Array<{ class: string; text: string }>;
};
const siXml = (d: Si) =>
  doctype('si', '-//WAPFORUM//DTD SI 1.0//EN', 'http://www.wapforum.org/DTD/si.dtd') +
  `<si><indication${attrs({ href: d.href, 'si-id': d.siId, created: d.created, 'si-expires': d.expires, action: d.action })}>${esc(d.text ?? '')}</indication>` +
  (d.items?.length
    ? `<info>${d.items.map((i) => `<item${attrs({ class: i.class })}>${esc(i.text)}</item>`).join('')}</info>`
    : '') +
  '</si>';
const slXml = (d: { href: string; action?: string }) =>
  doctype('sl', '-//WAPFORUM//DTD SL 1.0//EN', 'http://www.wapforum.org/DTD/sl.dtd') +
  `<sl${attrs({ href: d.href, action: d.action })}/>`;
const coXml = (d: { objects?: string[]; services?: string[] }) =>
  doctype('co', '-//WAPFORUM//DTD CO 1.0//EN', 'http://www.wapforum.org/DTD/co_1.0.dtd') +
  `<co>${(d.objects ?? []).map((u) => `<invalidate-object uri="${esc(u)}"/>`).join('')}${(d.services ?? []).map((u) => `<invalidate-service uri="${esc(u)}"/>`).join('')}</co>`;
type C = { type: string; parms: Array<{ name: string; value?: string }>; characteristics: C[] };
const cXml = (c: C): string =>
  `<characteristic type="${esc(c.type)}">${c.parms.map((p) => `<parm${attrs({ name: p.name, value: p.value })}/>`).join('')}${c.characteristics.map(cXml).join('')}</characteristic>`;
const provXml = (d: { version?: string; characteristics: C[] }) =>
  doctype('wap-provisioningdoc', '-//WAPFORUM//DTD PROV 1.0//EN', 'http://www.wapforum.org/DTD/prov.dtd') +
  `<wap-provisioningdoc${attrs({ version: d.version })}>${d.characteristics.map(cXml).join('')}</wap-provisioningdoc>`;
const emnXml = (d: { mailbox: string; timestamp?: string }) =>
  doctype('emn', '-//OMA//DTD EMN 1.0//EN', 'http://www.openmobilealliance.org/tech/DTD/emn.dtd') +
  `<emn${attrs({ mailbox: d.mailbox, timestamp: d.timestamp })}/>`;

/** Our reading of the XML itself: what the compiled document must decode to. */
const fromXml = (contentType: string, xml: string) => decodeBody(contentType, {}, Buffer.from(xml));

const FLAGS: string[][] = [[], ['-n'], ['-v', '1.1'], ['-v', '1.2', '-n']];

run('xml2wbxml output decodes to the same document', () => {
  it('fixed documents of every type, every flag combination', () => {
    const docs: Array<[string, string, string]> = [
      [
        'application/vnd.wap.sic',
        'text/vnd.wap.si',
        siXml({
          href: 'http://www.example.com/mail',
          siId: 'm1',
          created: '2026-11-29T10:00:00Z',
          expires: '2026-12-29T10:00:00Z',
          action: 'signal-high',
          text: 'You have 3 new messages',
          items: [{ class: 'from', text: 'Ann' }],
        }),
      ],
      [
        'application/vnd.wap.slc',
        'text/vnd.wap.sl',
        slXml({ href: 'https://www.example.org/app.jad', action: 'execute-high' }),
      ],
      [
        'application/vnd.wap.coc',
        'text/vnd.wap.co',
        coXml({ objects: ['http://www.example.com/a'], services: ['http://www.example.com/'] }),
      ],
      [
        'application/vnd.wap.connectivity-wbxml',
        'text/vnd.wap.connectivity-xml',
        provXml({
          version: '1.0',
          characteristics: [
            {
              type: 'NAPDEF',
              parms: [
                { name: 'NAPID', value: 'NET' },
                { name: 'BEARER', value: 'GSM-GPRS' },
                { name: 'NAP-ADDRTYPE', value: 'APN' },
              ],
              characteristics: [],
            },
            {
              type: 'APPLICATION',
              parms: [
                { name: 'APPID', value: 'w4' },
                { name: 'TO-NAPID', value: 'NET' },
                { name: 'ADDR', value: 'http://mms.example.com/' },
              ],
              characteristics: [],
            },
          ],
        }),
      ],
      [
        'application/vnd.wap.emn+wbxml',
        'text/vnd.wap.emn+xml',
        emnXml({ mailbox: 'mailat:user@example.com', timestamp: '2026-11-29T10:00:00Z' }),
      ],
    ];
    for (const [binary, textual, xml] of docs) {
      for (const flags of FLAGS)
        expect(decodeBody(binary, {}, compile(xml, flags)), `${binary} ${flags.join(' ')}`).toEqual(
          fromXml(textual, xml),
        );
    }
  });

  it('generated SI, SL, CO, provisioning and EMN documents', () => {
    const cases: Array<[fc.Arbitrary<any>, (d: any) => string, string, string, number]> = [
      [si, siXml, 'application/vnd.wap.sic', 'text/vnd.wap.si', 60],
      [sl, slXml, 'application/vnd.wap.slc', 'text/vnd.wap.sl', 30],
      [co, coXml, 'application/vnd.wap.coc', 'text/vnd.wap.co', 30],
      [provisioning, provXml, 'application/vnd.wap.connectivity-wbxml', 'text/vnd.wap.connectivity-xml', 60],
      [emn, emnXml, 'application/vnd.wap.emn+wbxml', 'text/vnd.wap.emn+xml', 30],
    ];
    for (const [arb, toXml, binary, textual, runs] of cases) {
      fc.assert(
        fc.property(arb, fc.constantFrom(...FLAGS), (d, flags) => {
          const xml = toXml(d);
          expect(decodeBody(binary, {}, compile(xml, flags))).toEqual(fromXml(textual, xml));
        }),
        { numRuns: runs },
      );
    }
  });
});
