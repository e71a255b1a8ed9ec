// SMPP end to end over TLS against plain TCP, on loopback: the same run as bench/smpp.ts's
// full stack (the simulator delivering queued pushes to an ESME link that decodes each),
// once over smpp:// and once over smpps://, and the ratio TLS / plain. The certificate is
// made for the run with Debian's openssl (EC P-256) in a temp dir. `npm run bench:tls`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsServerSettings } from '../src/index.js';
import { fullStack, type BenchTls } from './smpp.js';

/** A CA and a server certificate for 127.0.0.1 it signed. */
function certificates(): { server: TlsServerSettings; ca: Buffer; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'wappush-bench-tls-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bench CA']);
  run(['req', ...ec, '-keyout', 's.key', '-out', 's.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 's.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    's.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    's.crt',
    '-days',
    '1',
    '-extfile',
    's.ext',
  ]);
  const read = (f: string) => readFileSync(join(dir, f));
  return {
    server: { cert: read('s.crt'), key: read('s.key') },
    ca: read('ca.crt'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deliveries per second of n pushes queued at the simulator, window 10 (bench/smpp.ts's full stack). */
const endToEnd = (n: number, tls?: BenchTls): Promise<number> => fullStack(10, n, { tls });

export interface TlsEndToEnd {
  plainPerSec: number;
  tlsPerSec: number;
  /** TLS / plain: 1 means TLS costs nothing. */
  ratio: number;
}

export async function runTls({ quick = false } = {}): Promise<TlsEndToEnd> {
  const n = quick ? 5_000 : 30_000;
  const certs = certificates();
  try {
    const plainPerSec = await endToEnd(n);
    const tlsPerSec = await endToEnd(n, { server: certs.server, ca: certs.ca });
    const ratio = tlsPerSec / plainPerSec;
    const f = (x: number) => Math.round(x).toLocaleString('en-US').padStart(8);
    process.stdout.write(
      `  window  10: plain ${f(plainPerSec)}/s, TLS ${f(tlsPerSec)}/s (TLS / plain ${ratio.toFixed(2)}x)\n`,
    );
    return { plainPerSec, tlsPerSec, ratio };
  } finally {
    certs.remove();
  }
}

if (process.argv[1]?.endsWith('tls.js')) {
  const quick = process.argv.includes('--quick');
  runTls({ quick }).then(
    (r) => process.stdout.write(JSON.stringify({ smppEndToEndTls: r }) + '\n'),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
