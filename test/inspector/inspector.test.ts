// The inspector page in a real browser: Debian's chromium driven by puppeteer-core, the page
// opened from disk as the build writes it. Screenshots go to test-artifacts/ (gitignored).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInspector } from '../../scripts/build-inspector.mjs';
import { toHex } from '../../src/codec/hex.js';
import { encodeSi } from '../../src/codec/wbxml/si.js';
import { encodePushPdu } from '../../src/codec/wsp/pushPdu.js';
import { segmentPayload } from '../../src/wdp/segmenter.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page callbacks touch of the page's elements: the test program has no DOM types. */
interface PageElement {
  value: string;
  dataset: Record<string, string | undefined>;
  closest(selector: string): PageElement | null;
}
const ARTIFACTS = path.join(import.meta.dirname, '../../test-artifacts');

/** As test/interop/helpers.ts does for its peers: CI (CI=1) must have chromium; elsewhere these tests skip. */
function haveChromium(): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok && !process.env.CI)
    console.warn(`${CHROMIUM} not installed: the inspector's browser tests are skipped (apt-get install chromium)`);
  return ok || !!process.env.CI;
}

const run = haveChromium() ? describe : describe.skip;

// An SI long enough for three SMS of 60 octets of user data.
const SI = {
  href: 'http://www.example.com/inbox/message/4711',
  text: 'You have 3 new messages in your mailbox: read them before the weekend, they are waiting',
};
const PDU = encodePushPdu({
  transactionId: 1,
  contentType: 'application/vnd.wap.sic',
  applicationId: 'x-wap-application:wml.ua',
  body: encodeSi(SI),
});
const SEGMENTS = segmentPayload(PDU, { reference: 42, maxUserData: 60 });

run('inspector page in chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wappush-inspector-'));
    const file = path.join(dir, 'inspector.html');
    writeFileSync(file, await buildInspector());
    url = pathToFileURL(file).href;
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const paste = async (p: Page, text: string) => {
    await p.$eval('#hex', (t, v) => ((t as PageElement).value = v), text);
    await p.click('#decode');
  };
  const summary = (p: Page) => p.$eval('#summary', (e) => e.textContent ?? '');
  const selectedOctets = (p: Page) =>
    p.$$eval('.octet.selected', (all) => all.map((o) => [Number((o as PageElement).dataset.offset), o.textContent]));

  it('a 3-segment SI pasted one segment a line: the summary says what the phone shows', async () => {
    expect(SEGMENTS).toHaveLength(3);
    await page.goto(url);
    await paste(page, SEGMENTS.map(toHex).join('\n'));
    const s = await summary(page);
    expect(s).toContain('Service Indication');
    expect(s).toContain(SI.text);
    expect(s).toContain(SI.href);
    expect(await page.$eval('#guessed', (e) => e.textContent)).toBe('read as sms');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-si-3-segments.png') });
  });

  it('clicking a header node highlights its octets in the reassembled datagram', async () => {
    const rows = await page.$$('.node');
    let header: (typeof rows)[number] | undefined;
    for (const r of rows) if ((await r.$eval('.name', (n) => n.textContent)) === 'X-Wap-Application-Id') header = r;
    expect(header).toBeDefined();
    await header!.click();
    // WAP-230 8.2.4.1: TID, type, HeadersLen (1 octet), content type 0xAE (application/vnd.wap.sic),
    // then the header: field 0x2F | 0x80, App ID 2 (x-wap-application:wml.ua) as a Short-integer.
    expect(await selectedOctets(page)).toEqual([
      [4, 'af'],
      [5, '82'],
    ]);
    const source = await page.$eval('.octet.selected', (o) => (o as PageElement).closest('.octets')!.dataset.source);
    expect(source).not.toBe('0');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-header-selected.png') });
  });

  it('clicking an octet opens its node', async () => {
    // The first octet of the input is the first segment's UDHL.
    await page.click('.octets[data-source="0"] .octet[data-offset="0"]');
    expect(await page.$eval('.node.selected .name', (n) => n.textContent)).toBe('UDHL');
  });

  it('the link with the input in its fragment shows the same push', async () => {
    const link = page.url();
    expect(link).toContain('#');
    const other = await browser.newPage();
    await other.goto(link);
    expect(await summary(other)).toContain(SI.text);
    expect(await other.$$eval('.node', (n) => n.length)).toBeGreaterThan(20);
    await other.close();
  });

  it('a malformed push shows its error at the octet where decoding stopped', async () => {
    // The SI of test/fixtures/wsp/01-nowsms-forum-si.json with PDU type 0x09 (octet 1), which
    // is neither Push (0x06) nor ConfirmedPush (0x07): WAP-230 Table 34.
    const bad = 'FD0901AE02056A0045C60D03676F6F676C652E636F6D0007010342696B61736800010100';
    await page.goto(`${url}#input=wsp&hex=${bad}`);
    expect(await summary(page)).toContain('BAD_PDU_TYPE at octet 1');
    expect(await page.$$eval('.octet.error', (all) => all.map((o) => (o as PageElement).dataset.offset))).toEqual([
      '1',
    ]);
    expect(await page.$eval('.node.has-error .name', (n) => n.textContent)).toBe('error');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-error.png') });
  });
});
