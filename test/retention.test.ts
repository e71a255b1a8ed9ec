// The decoders keep one reader each for the life of the process. A reader that still pointed at
// its last input would keep that input alive, and with it the whole buffer it is a view of (a
// socket read, a reassembly buffer): these tests hand each decoder a view of a 4 MiB buffer,
// drop every reference to it, and check that the garbage collector frees it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  applicationKey,
  APPLICATION_KEY_CACHE_MAX_LENGTH,
  APPLICATION_KEY_CACHE_SIZE,
} from '../src/cai/applicationId.js';
import { decodeBody } from '../src/codec/body.js';
import { decodeMmsPdu } from '../src/codec/mms/pdu.js';
import { WbxmlEvent, WbxmlTokenizer } from '../src/codec/wbxml/tokenizer.js';
import { decodeWbxml } from '../src/codec/wbxml/tree.js';
import { SL } from '../src/codec/wbxml/vocabularies.js';
import { decodePushPdu, decodePushRouting } from '../src/codec/wsp/pushPdu.js';
import { skimPushPdu } from '../src/codec/wsp/pushSkim.js';
import { hex } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const BIG = 4 << 20;

/**
 * Whether the buffer behind the view `use` was given is freed once nothing of the test holds
 * it. A WeakRef's target lives at least to the end of the job that made it, hence the await.
 */
async function freedAfter(octets: Uint8Array, use: (view: Uint8Array) => void): Promise<boolean> {
  const ref = ((): WeakRef<ArrayBuffer> => {
    const buffer = new ArrayBuffer(BIG);
    const view = new Uint8Array(buffer, 1024, octets.length);
    view.set(octets);
    try {
      use(view);
    } catch {
      // The error paths must let go as well; what they throw is other tests' business.
    }
    return new WeakRef(buffer);
  })();
  for (let i = 0; i < 3 && ref.deref() !== undefined; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  return ref.deref() === undefined;
}

// Sources: sl.json (Gecko test vector) for the SL body; WAP-209 Table 1 field codes for the MMS.
const SL_BODY = hex('03066a00850a036f7265696c6c79008501');
const SL_PUSH = hex('010603b0af82' + '03066a00850a036f7265696c6c79008501');
const MMS = hex('8c82' + '98543100' + '8d92' + '890181' + '8a637573746f6d00');

describe('decoders let go of their input', () => {
  it('a control: a buffer something still holds is not freed', async () => {
    const kept: Uint8Array[] = [];
    expect(await freedAfter(SL_PUSH, (v) => kept.push(v))).toBe(false);
    expect(kept).toHaveLength(1);
  });

  it('decodePushPdu and decodePushRouting, after a decode and after an error', async () => {
    expect(decodePushPdu(SL_PUSH).contentType).toBe('application/vnd.wap.slc');
    expect(await freedAfter(SL_PUSH, (v) => decodePushPdu(v))).toBe(true);
    expect(await freedAfter(SL_PUSH, (v) => decodePushRouting(v))).toBe(true);
    expect(await freedAfter(SL_PUSH.subarray(0, 5), (v) => decodePushPdu(v))).toBe(true);
  });

  it('skimPushPdu, after a skim and after a refusal', async () => {
    expect(skimPushPdu(SL_PUSH)?.contentType).toBe('application/vnd.wap.slc');
    expect(await freedAfter(SL_PUSH, (v) => skimPushPdu(v))).toBe(true);
    expect(await freedAfter(SL_PUSH.subarray(0, 5), (v) => skimPushPdu(v))).toBe(true);
  });

  it('the WBXML tree (decodeWbxml, decodeBody of SL), after a decode and after an error', async () => {
    expect(decodeBody('application/vnd.wap.slc', {}, SL_BODY)).toMatchObject({
      type: 'sl',
      href: 'http://www.oreilly.com/',
    });
    expect(await freedAfter(SL_BODY, (v) => decodeWbxml(v, { vocabulary: SL }))).toBe(true);
    expect(await freedAfter(SL_BODY, (v) => decodeBody('application/vnd.wap.slc', {}, v))).toBe(true);
    expect(await freedAfter(SL_BODY.subarray(0, 9), (v) => decodeWbxml(v, { vocabulary: SL }))).toBe(true);
  });

  it("a tokenizer of the caller's own, on release(); next() then gives End", async () => {
    const t = new WbxmlTokenizer();
    let first: WbxmlEvent | undefined;
    expect(
      await freedAfter(SL_BODY, (v) => {
        t.start(v, { vocabulary: SL });
        first = t.next();
        t.release();
      }),
    ).toBe(true);
    expect(first).toBe(WbxmlEvent.StartTag);
    expect(t.next()).toBe(WbxmlEvent.End);
  });

  it('decodeMmsPdu, after a decode and after an error', async () => {
    expect(decodeMmsPdu(MMS).messageType).toBe('m-notification-ind');
    expect(await freedAfter(MMS, (v) => decodeMmsPdu(v))).toBe(true);
    expect(await freedAfter(MMS.subarray(0, 3), (v) => decodeMmsPdu(v))).toBe(true);
  });
});

describe('the App ID routing-key cache', () => {
  it('keys long App IDs without keeping them', () => {
    // Fresh, flat strings of 16 KiB each, as a PDU's header would give them; together far more
    // than the cache may hold if it kept them.
    const long = (i: number) =>
      Buffer.alloc(16 << 10, 0x61)
        .fill(String(i), 20, 30)
        .toString('latin1');
    const uri = (i: number) => `http://example.com/${long(i)}`;
    expect(uri(0).length).toBeGreaterThan(APPLICATION_KEY_CACHE_MAX_LENGTH);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < APPLICATION_KEY_CACHE_SIZE; i++) applicationKey(uri(i));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // Kept, they would be 4,096 x 16 KiB = 64 MiB at least (measured without the bound: 66 MB).
    expect(grown).toBeLessThan(16 << 20);
    // And they are still keyed as before: lower-cased URIs.
    expect(applicationKey(`HTTP://Example.com/${long(1)}`)).toBe(`http://example.com/${long(1)}`);
  });
});
