/**
 * `wappush inspect`: serves the inspector page (docs/inspector.md) on 127.0.0.1 and prints
 * {"listening":{host,port,url}}. The page decodes in the browser; the server only hands it over.
 * SIGINT closes it and exits 0.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { nonNegativeInteger } from './args.js';
import type { Command } from './command.js';
import { fail } from './output.js';

const HOST = '127.0.0.1';
/** Default port (any free one with --port 0). */
export const INSPECT_PORT = 8275;

const options = {
  port: { type: 'string', default: String(INSPECT_PORT) },
} as const;

/** The built page, next to the built command (dist/inspector.html, `npm run build`). */
const PAGE = new URL('../inspector.html', import.meta.url);

export const inspect: Command = {
  name: 'inspect',
  usage: `  wappush inspect [--port N]                        the inspector page on http://127.0.0.1:N/ (see a push in a browser)
`,
  flags: `inspect:
  --port N            port on 127.0.0.1 (default ${INSPECT_PORT}; 0: any free one); the page
                      is also a file that works opened from disk: dist/inspector.html
`,
  options,
  run(argv) {
    const { values } = parseArgs({ args: argv, options });
    const port = nonNegativeInteger(values.port, 'port')!;
    if (port > 65535) fail(new Error(`port must be a number from 0 to 65535, not ${values.port}`));
    let page: Buffer;
    try {
      page = readFileSync(PAGE);
    } catch {
      fail(new Error(`no inspector page at ${PAGE.pathname}: run npm run build`));
    }
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split(/[?#]/)[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (path === '/' || path === '/inspector.html') {
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': page.length,
          // The page needs nothing from anywhere: say so to the browser.
          'content-security-policy': "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
        });
        res.end(req.method === 'HEAD' ? undefined : page);
      } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    server.on('error', fail);
    server.listen(port, HOST, () => {
      const bound = (server.address() as { port: number }).port;
      process.stdout.write(
        JSON.stringify({ listening: { host: HOST, port: bound, url: `http://${HOST}:${bound}/` } }) + '\n',
      );
    });
    process.on('SIGINT', () => server.close(() => process.exit(0)));
  },
};
