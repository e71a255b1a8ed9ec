/**
 * Differential against libwbxml (Debian libwbxml2-utils, installed by .ci/run): our decoder
 * and wbxml2xml must read the same document out of the same octets, for every fixture and
 * for generated documents from our encoder.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBody } from '../../src/codec/body.js';
import type { Warned } from '../../src/codec/warnings.js';
import { coFromTree, encodeCo } from '../../src/codec/wbxml/co.js';
import { encodeSi, siFromTree } from '../../src/codec/wbxml/si.js';
import { encodeSl, slFromTree } from '../../src/codec/wbxml/sl.js';
import { parseXml } from '../../src/codec/wbxml/xml.js';
import { hex, loadFixtures, smsFixturePushes } from '../helpers.js';
import { co, emn, provisioning, si, sl } from './arbitraries.js';
import { emnFromTree, encodeEmn } from '../../src/codec/wbxml/emn.js';
import { encodeProvisioning, provisioningFromTree } from '../../src/codec/wbxml/provisioning.js';
import { decodeProvisioning } from '../../src/codec/wbxml/provisioning.js';

const haveTool = spawnSync('wbxml2xml', [], { stdio: 'ignore' }).error === undefined;
// CI installs the peer; a developer machine without it skips, and says so.
const run = haveTool || process.env.CI ? describe : describe.skip;
if (!haveTool && !process.env.CI)
  console.warn('wbxml2xml not installed: differential tests skipped (apt-get install libwbxml2-utils)');

const dir = mkdtempSync(join(tmpdir(), 'wappush-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** What libwbxml reads: wbxml2xml's XML. */
function libwbxmlXml(body: Uint8Array): string {
  const inFile = join(dir, `${++n}.wbxml`);
  const outFile = join(dir, `${n}.xml`);
  writeFileSync(inFile, body);
  execFileSync('wbxml2xml', ['-m', '0', '-o', outFile, inFile], { stdio: 'pipe' });
  return readFileSync(outFile, 'utf8');
}

/** wbxml2xml's XML parsed into the same element tree type. */
const viaLibwbxml = (body: Uint8Array) => parseXml(libwbxmlXml(body));

const FROM_TREE = { si: siFromTree, sl: slFromTree, co: coFromTree } as const;

run('decoder agrees with libwbxml2 (wbxml2xml)', () => {
  const fixtures = loadFixtures<{ body: string; contentType: string }>('wbxml').filter((f) =>
    f.contentType.startsWith('application/'),
  );
  for (const f of fixtures) {
    it(`fixture ${f.file}`, () => {
      const body = hex(f.body);
      // What is odd about the octets (warnings) is not in libwbxml's XML: the documents are compared.
      const { warnings: _, ...ours } = decodeBody(f.contentType, {}, body) as {
        type: 'si' | 'sl' | 'co';
        warnings?: unknown;
      };
      expect(FROM_TREE[ours.type](viaLibwbxml(body), 0)).toEqual(ours);
    });
  }
  it('documents decoded leniently read the same in libwbxml, and what they lack it lacks too', () => {
    // libwbxml says nothing of what is odd; what it reads must be the document we read, and our
    // XML decode of its output must find missing what we found missing in the octets (issue 20).
    const TEXTUAL = { si: 'text/vnd.wap.si', sl: 'text/vnd.wap.sl', co: 'text/vnd.wap.co' } as const;
    const cases: Array<[string, string]> = [
      ['application/vnd.wap.sic', '02056a0005'], // <si/>
      ['application/vnd.wap.sic', '02056a00' + '4506' + '4701' + '01'], // <info/> without <item>
      ['application/vnd.wap.coc', '02076a0005'], // <co/>
      ['application/vnd.wap.slc', '03066a00850a036f7265696c6c790085014501'], // a second <sl> after the root
      ['application/vnd.wap.sic', '02056a00' + '45c60c036100' + '01' + '03686900' + '01' + '01' + '00'], // a 00 after it
    ];
    const missing = (w?: Array<{ code: string }>) => (w ?? []).filter((x) => x.code === 'MISSING_REQUIRED').length;
    for (const [contentType, h] of cases) {
      const body = hex(h);
      const { warnings, ...ours } = decodeBody(contentType, {}, body) as { type: 'si' | 'sl' | 'co' } & Warned;
      expect(warnings, h).toBeDefined();
      const xml = libwbxmlXml(body);
      expect(FROM_TREE[ours.type](parseXml(xml), 0), h).toEqual(ours);
      expect(missing(decodeBody(TEXTUAL[ours.type], {}, Buffer.from(xml)).warnings), h).toBe(missing(warnings));
    }
  });
  it('generated SI documents (encoded by us, read by both)', () => {
    fc.assert(
      fc.property(si, (doc) => {
        const body = encodeSi(doc);
        expect(siFromTree(viaLibwbxml(body))).toEqual(decodeBody('application/vnd.wap.sic', {}, body));
      }),
      { numRuns: 150 },
    );
  });
  it('generated SL and CO documents', () => {
    fc.assert(
      fc.property(sl, (doc) => {
        const body = encodeSl(doc);
        expect(slFromTree(viaLibwbxml(body))).toEqual(decodeBody('application/vnd.wap.slc', {}, body));
      }),
      { numRuns: 75 },
    );
    fc.assert(
      fc.property(co, (doc) => {
        const body = encodeCo(doc);
        expect(coFromTree(viaLibwbxml(body))).toEqual(decodeBody('application/vnd.wap.coc', {}, body));
      }),
      { numRuns: 75 },
    );
  });
  it('the production provisioning documents (test/fixtures/sms OTA pushes)', () => {
    for (const f of smsFixturePushes().filter(
      (x) => x.expect.contentType === 'application/vnd.wap.connectivity-wbxml',
    )) {
      const body = f.push.body;
      expect(provisioningFromTree(viaLibwbxml(body)), f.file).toEqual(decodeProvisioning(body));
    }
  });
  it('generated provisioning documents over both code pages, and EMN documents', () => {
    fc.assert(
      fc.property(provisioning, (doc) => {
        const body = encodeProvisioning(doc);
        expect(provisioningFromTree(viaLibwbxml(body))).toEqual(decodeProvisioning(body));
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(emn, (doc) => {
        const body = encodeEmn(doc);
        expect(emnFromTree(viaLibwbxml(body))).toEqual(decodeBody('application/vnd.wap.emn+wbxml', {}, body));
      }),
      { numRuns: 75 },
    );
  });
});
