/**
 * SMPP over TLS on loopback, with a PKI made by openssl for the test (certs.ts): a bind with
 * the right CA goes through, a wrong CA or an expired certificate stops the connection before
 * the bind (the simulator sees no bind at all, so no password left), --insecure lets the lab
 * through, and a simulator that asks for client certificates gets one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmscSimulator, type SmscOptions } from '../../src/smsc/simulator.js';
import { EsmeLink, parseSmscUrl } from '../../src/wdp/smpp/link.js';
import { SmppSubmitter } from '../../src/wdp/smpp/submitter.js';
import { loadTlsClientFiles, loadTlsServerFiles } from '../../src/security/tlsOptions.js';
import { SecurityError } from '../../src/security/errors.js';
import { until } from '../helpers.js';
import { makeTestPki, type TestPki } from './certs.js';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.remove());

const ACCOUNTS = [
  { systemId: 'ppg', password: 'tx-pw-1' },
  { systemId: 'handset', password: 'rx-pw-2' },
];

async function simulator(options: Partial<SmscOptions> & { cert?: string; key?: string; ca?: string } = {}) {
  const { cert = pki.serverCert, key = pki.serverKey, ca, ...rest } = options;
  const s = new SmscSimulator({
    accounts: ACCOUNTS,
    plain: false,
    tls: { cert: pki.read(cert), key: pki.read(key), ...(ca ? { ca: pki.read(ca) } : {}) },
    ...rest,
  });
  await s.listen();
  return s;
}

const url = (port: number, who = 'ppg:tx-pw-1') => `smpps://${who}@127.0.0.1:${port}`;

describe('SMPP over TLS (smpps://)', () => {
  it('binds and carries a push end to end when the server certificate chains to --ca', async () => {
    const s = await simulator();
    const got: number[] = [];
    const link = new EsmeLink({
      smsc: parseSmscUrl(url(s.tlsPort!, 'handset:rx-pw-2'), { ca: pki.read(pki.caCert) }),
      enquireLinkMs: 0,
      onDatagram: (d) => void got.push(d.payload.length),
    });
    const tx = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { ca: pki.read(pki.caCert) }));
    try {
      await link.start();
      await tx.start();
      const ids = await tx.submit(Buffer.alloc(300, 0x41), { to: '+15550100', carriage: 'udh' });
      expect(ids.length).toBe(3);
      await until(() => got.length > 0, 5_000, 'the datagram');
      expect(got).toEqual([300]);
      expect(s.stats.binds).toBe(2);
    } finally {
      await tx.close();
      await link.close();
      await s.close();
    }
  });

  it('refuses a server whose certificate another CA signed: no bind is sent', async () => {
    const s = await simulator();
    const tx = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { ca: pki.read(pki.wrongCaCert) }));
    try {
      await expect(tx.start()).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      expect(s.stats.binds + s.stats.bindFailures).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('refuses a server whose certificate has expired, even with the right CA', async () => {
    const s = await simulator({ cert: pki.expiredCert, key: pki.expiredKey });
    const tx = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { ca: pki.read(pki.caCert) }));
    try {
      await expect(tx.start()).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
      expect(s.stats.binds + s.stats.bindFailures).toBe(0);
    } finally {
      await s.close();
    }
  });

  it('verifies against the system CAs when no --ca is given: a test CA is not among them', async () => {
    const s = await simulator();
    const tx = new SmppSubmitter(url(s.tlsPort!));
    try {
      await expect(tx.start()).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    } finally {
      await s.close();
    }
  });

  it('a reconnecting link reports the refused certificate and never binds', async () => {
    const s = await simulator();
    const link = new EsmeLink({
      smsc: parseSmscUrl(url(s.tlsPort!, 'handset:rx-pw-2'), { ca: pki.read(pki.wrongCaCert) }),
      enquireLinkMs: 0,
      reconnect: { initialMs: 20, maxMs: 50 },
    });
    const errors: string[] = [];
    link.on('connection-error', (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message));
    try {
      void link.start().catch(() => {});
      await until(() => errors.length >= 2, 3_000, 'two connection errors');
      expect(errors.slice(0, 2)).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
      expect(link.bound).toBe(false);
      expect(s.stats.binds + s.stats.bindFailures).toBe(0);
    } finally {
      await link.close();
      await s.close();
    }
  });

  it('--insecure connects to a server it cannot verify (for the lab)', async () => {
    const s = await simulator();
    const tx = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { insecure: true }));
    try {
      await tx.start();
      expect(s.stats.binds).toBe(1);
    } finally {
      await tx.close();
      await s.close();
    }
  });

  it('a simulator that asks for client certificates binds only a client that has one from its CA', async () => {
    const s = await simulator({ ca: pki.caCert });
    const without = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { ca: pki.read(pki.caCert) }));
    const files = loadTlsClientFiles({ ca: pki.caCert, cert: pki.clientCert, key: pki.clientKey })!;
    const withCert = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), files));
    try {
      await expect(without.start()).rejects.toBeInstanceOf(Error);
      await withCert.start();
      expect(s.stats.binds).toBe(1);
    } finally {
      await withCert.close();
      await s.close();
    }
  });

  it('serves plain TCP and TLS on two ports when both are asked for', async () => {
    const s = new SmscSimulator({
      accounts: ACCOUNTS,
      tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) },
    });
    const plainPort = await s.listen();
    const plain = new SmppSubmitter(`smpp://ppg:tx-pw-1@127.0.0.1:${plainPort}`);
    const secure = new SmppSubmitter(parseSmscUrl(url(s.tlsPort!), { ca: pki.read(pki.caCert) }));
    try {
      expect(s.tlsPort).not.toBe(plainPort);
      await plain.start();
      await secure.start();
      expect(s.stats.binds).toBe(2);
    } finally {
      await plain.close();
      await secure.close();
      await s.close();
    }
  });
});

describe('TLS settings and URLs', () => {
  it('smpps:// defaults to IANA port 3550, smpp:// to 2775; errors mask the password', () => {
    expect(parseSmscUrl('smpps://a:b@h').port).toBe(3550);
    expect(parseSmscUrl('smpps://a:b@h').tls).toEqual({});
    expect(parseSmscUrl('smpp://a:b@h').port).toBe(2775);
    expect(parseSmscUrl('smpp://a:b@h').tls).toBeUndefined();
    // A refused URL is named by scheme and host only: a password with '/' or spaces escapes masks.
    expect(() => parseSmscUrl('http://id:hunter2@h:1')).toThrow(/URL: http:\/\/h:1$/);
    expect(() => parseSmscUrl('http://id:hunter2@h:1')).not.toThrow(/hunter2/);
    expect(() => parseSmscUrl('smpp://id:hunter2@h:1', { insecure: true })).toThrow(/use smpps/);
  });

  it('a private key others may read is refused, as ssh refuses one; --cert needs --key', () => {
    const open = join(pki.dir, 'open.key');
    copyFileSync(pki.serverKey, open);
    chmodSync(open, 0o644);
    expect(() => loadTlsServerFiles(pki.serverCert, open)).toThrow(SecurityError);
    expect(() => loadTlsServerFiles(pki.serverCert, open)).toThrow(/chmod 600/);
    expect(() => loadTlsClientFiles({ cert: pki.clientCert })).toThrow(/--cert and --key/);
    expect(() => loadTlsServerFiles(pki.serverCert, undefined)).toThrow(/--tls-cert and --tls-key/);
    expect(() => loadTlsClientFiles({ ca: join(pki.dir, 'missing.crt') })).toThrow(/--ca .*missing\.crt/);
  });
});
