/**
 * A test PKI made with Debian's openssl in a temp dir: a CA, a server certificate it signed
 * for 127.0.0.1/localhost, one of those already expired, a client certificate, and a second
 * CA that signed nothing here (the "wrong CA"). EC P-256 keys: quick to make.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  /** Paths. */
  caCert: string;
  wrongCaCert: string;
  serverCert: string;
  serverKey: string;
  expiredCert: string;
  expiredKey: string;
  clientCert: string;
  clientKey: string;
  read(path: string): Buffer;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ca(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

/** A key and a certificate signed by `by`, valid `days` (negative: expired already). */
function leaf(dir: string, name: string, by: string, days: number, ext: string): void {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${by}.crt`,
    '-CAkey',
    `${by}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    String(days),
    '-extfile',
    `${name}.ext`,
  ]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-pki-'));
  ca(dir, 'ca');
  ca(dir, 'wrong-ca');
  const server = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
  leaf(dir, 'server', 'ca', 1, server);
  leaf(dir, 'expired', 'ca', -1, server);
  leaf(dir, 'client', 'ca', 1, 'extendedKeyUsage=clientAuth\n');
  const p = (f: string) => join(dir, f);
  // Private keys owner-only, as a server refuses one that others may read.
  for (const k of ['ca', 'wrong-ca', 'server', 'expired', 'client']) chmodSync(p(`${k}.key`), 0o600);
  return {
    dir,
    caCert: p('ca.crt'),
    wrongCaCert: p('wrong-ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    expiredCert: p('expired.crt'),
    expiredKey: p('expired.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
