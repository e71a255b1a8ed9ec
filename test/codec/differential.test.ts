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

/** What libwbxml reads: wbxml2xml's XML, parsed into the same element tree type. */
function viaLibwbxml(body: Uint8Array) {
  const inFile = join(dir, `${++n}.wbxml`);
  const outFile = join(dir, `${n}.xml`);
  writeFileSync(inFile, body);
  execFileSync('wbxml2xml', ['-m', '0', '-o', outFile, inFile], { stdio: 'pipe' });
  return parseXml(readFileSync(outFile, 'utf8'));
}

const FROM_TREE = { si: siFromTree, sl: slFromTree, co: coFromTree } as const;

run('decoder agrees with libwbxml2 (wbxml2xml)', () => {
  const fixtures = loadFixtures<{ body: string; contentType: string }>('wbxml').filter((f) =>
    f.contentType.startsWith('application/'),
  );
  for (const f of fixtures) {
    it(`fixture ${f.file}`, () => {
      const body = hex(f.body);
      const ours = decodeBody(f.contentType, {}, body) as { type: 'si' | 'sl' | 'co' };
      expect(FROM_TREE[ours.type](viaLibwbxml(body), 0)).toEqual(ours);
    });
  }
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
