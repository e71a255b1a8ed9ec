/**
 * The operations port (docs/operations.md): /metrics (Prometheus text), /healthz (the process
 * answers) and /readyz (the service can do its work: 200 when every check passes, else 503, with
 * the checks as JSON either way). Nothing else is served; only GET and HEAD are taken.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** One readiness check: its name and whether it passes now. */
export type ReadinessCheck = () => Record<string, boolean>;

export interface OpsServerOptions {
  port: number;
  /** Default 127.0.0.1: metrics name binds and applications, not for the open internet. */
  host?: string;
  metrics: Metrics;
  ready: ReadinessCheck;
}

export class OpsServer {
  private readonly server: http.Server;

  constructor(private readonly options: OpsServerOptions) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; resolves with the port (an ephemeral one for port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host ?? '127.0.0.1', () =>
        resolve((this.server.address() as AddressInfo).port),
      );
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'GET only\n');
    if (path === '/metrics') {
      try {
        return send(res, 200, this.options.metrics.contentType, await this.options.metrics.text());
      } catch (e) {
        return send(res, 500, 'text/plain', `metrics failed: ${String(e)}\n`);
      }
    }
    if (path === '/healthz') return send(res, 200, 'application/json', '{"status":"ok"}\n');
    if (path === '/readyz') {
      const checks = this.options.ready();
      const ready = Object.values(checks).every(Boolean);
      return send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, checks }) + '\n');
    }
    send(res, 404, 'text/plain', 'not found: /metrics, /healthz, /readyz\n');
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
