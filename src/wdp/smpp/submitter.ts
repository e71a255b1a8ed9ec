import { MAX_TIMER_MS, positiveBound } from '../../bounds.js';
import { ReferenceAllocator } from '../segmenter.js';
import { checkBindFields } from './bind.js';
import type { EsmeSession } from './esmeSession.js';
import { parseSmscUrl, type SmscUrl } from './link.js';
import { bindSession, submitDatagram, unbindSession, type SubmitOptions } from './submitPath.js';

export type { SubmitOptions } from './submitPath.js';

export interface SubmitterOptions {
  /** How long a bind_transmitter may go unanswered, ms. Default 10,000. */
  bindTimeoutMs?: number;
  /** How long a submit_sm may go unanswered before submit() rejects, ms. Default 30,000. */
  responseTimeoutMs?: number;
}

/**
 * The sending side (what `wappush inject` uses): binds as transmitter and submits datagrams
 * as submit_sm through the shared submit path (submitPath.ts). Resolves with the SMSC's
 * message_ids; rejects on a non-zero submit_sm_resp status, a generic_nack or no response.
 */
export class SmppSubmitter {
  private session: EsmeSession | undefined;
  private readonly smsc: SmscUrl;
  private readonly references = new ReferenceAllocator();
  private readonly bindTimeoutMs: number;
  private readonly responseTimeoutMs: number;

  constructor(smsc: string | SmscUrl, options: SubmitterOptions = {}) {
    this.smsc = typeof smsc === 'string' ? parseSmscUrl(smsc) : smsc;
    checkBindFields({ systemId: this.smsc.systemId, password: this.smsc.password });
    this.bindTimeoutMs = positiveBound(options.bindTimeoutMs ?? 10_000, 'bindTimeoutMs', MAX_TIMER_MS);
    this.responseTimeoutMs = positiveBound(options.responseTimeoutMs ?? 30_000, 'responseTimeoutMs', MAX_TIMER_MS);
  }

  async start(): Promise<void> {
    this.session = await bindSession(this.smsc, 'bind_transmitter', this.bindTimeoutMs);
  }

  /** Submits one datagram (all its segments); resolves with one message_id per submit_sm. */
  async submit(payload: Uint8Array, options: SubmitOptions): Promise<string[]> {
    if (!this.session) throw new Error('not bound');
    return submitDatagram(this.session, payload, options, this.references, this.responseTimeoutMs);
  }

  async close(timeoutMs = 1_000): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await unbindSession(session, timeoutMs);
  }
}
