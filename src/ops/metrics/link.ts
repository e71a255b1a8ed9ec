/**
 * Metrics of the receiving side's SMPP binds (EsmeLink) and the reassemblers behind them: read
 * from each link's stats at scrape time, plus the refused-PDU statuses and handler latency that
 * only its events carry. Labels: `bind` (the bind's name, password masked) and `system_id`.
 */
import type { Registry } from 'prom-client';
import type { EsmeLink } from '../../wdp/smpp/link.js';
import { maskUrl } from '../../security/maskUrl.js';
import { HANDLER_BUCKETS, histogram, statsCounter, statsGauge, type Labels, type Row } from './define.js';

interface Watched {
  link: EsmeLink;
  labels: Labels;
  /** generic_nack and ESME_RINVBNDSTS answers, by status. */
  refused: Map<number, number>;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

const BIND_LABELS = ['bind', 'system_id'] as const;

/** Why a deliver_sm read while intake was paused was refused, and where the link counts it. */
const PAUSED_REFUSED = Object.freeze([
  ['store-unavailable', 'pausedRefusedStore'],
  ['hold-full', 'pausedRefusedHoldFull'],
  ['hold-expired', 'pausedRefusedHoldExpired'],
] as const);

/** Which LostPush reasons the link counts, and where. */
const LOST = Object.freeze([
  ['expired', 'lostExpired'],
  ['evicted', 'lostEvicted'],
  ['superseded', 'lostSuperseded'],
] as const);

export class LinkMetrics {
  private readonly watched: Watched[] = [];
  private readonly latency;

  constructor(registry: Registry) {
    const each = (f: (w: Watched) => Row[]) => () => this.watched.flatMap(f);
    statsCounter(
      registry,
      'wappush_smpp_pdus_total',
      'SMPP PDUs received (in) and sent (out) by the receiving binds, by command and command_status',
      [...BIND_LABELS, 'direction', 'command', 'status'],
      each(({ link, labels, refused }) => {
        const s = link.stats;
        const pdu = (direction: string, command: string, status: number, n: number): Row => [
          { ...labels, direction, command, status: hex(status) },
          n,
        ];
        return [
          pdu('in', 'deliver_sm', 0, s.deliverSm),
          ...[...link.responses].map(([status, n]) => pdu('out', 'deliver_sm_resp', status, n)),
          pdu('out', 'enquire_link', 0, s.enquireLinksSent),
          pdu('in', 'enquire_link', 0, s.enquireLinksAnswered),
          pdu('out', 'enquire_link_resp', 0, s.enquireLinksAnswered),
          ...[...refused].map(([status, n]) => pdu('out', 'refusal', status, n)),
        ];
      }),
    );
    statsGauge(
      registry,
      'wappush_smpp_window_in_flight',
      'Datagrams handed up (or segments at the store) not yet answered to the SMSC',
      BIND_LABELS,
      each(({ link, labels }) => [[labels, link.inFlightCount]]),
    );
    statsGauge(
      registry,
      'wappush_smpp_held',
      'deliver_sm held unanswered while intake is paused, to be taken once it resumes',
      BIND_LABELS,
      each(({ link, labels }) => [[labels, link.heldCount]]),
    );
    statsGauge(
      registry,
      'wappush_smpp_bound',
      '1 while the bind is bound, else 0',
      BIND_LABELS,
      each(({ link, labels }) => [[labels, link.bound ? 1 : 0]]),
    );
    const counter = (name: string, help: string, read: (l: EsmeLink) => number) =>
      statsCounter(
        registry,
        name,
        help,
        BIND_LABELS,
        each(({ link, labels }) => [[labels, read(link)]]),
      );
    counter('wappush_smpp_binds_total', 'Successful binds', (l) => l.stats.binds);
    counter('wappush_smpp_binds_refused_total', 'Binds the SMSC refused', (l) => l.stats.bindFailures);
    counter('wappush_smpp_reconnects_total', 'Connections made after the first', (l) =>
      Math.max(0, l.stats.connects - 1),
    );
    counter('wappush_smpp_dead_links_total', 'Links dropped for an unanswered enquire_link', (l) => l.stats.deadLinks);
    counter('wappush_smpp_undecodable_total', 'deliver_sm that could not be read', (l) => l.stats.undecodable);
    counter(
      'wappush_smpp_store_refused_total',
      'Segments answered ESME_RX_T_APPN because the store could not take them',
      (l) => l.stats.storeRefused,
    );
    statsCounter(
      registry,
      'wappush_smpp_paused_refused_total',
      'deliver_sm answered ESME_RX_T_APPN unread while intake was paused, by reason',
      [...BIND_LABELS, 'reason'],
      each(({ link, labels }) => PAUSED_REFUSED.map(([reason, key]): Row => [{ ...labels, reason }, link.stats[key]])),
    );
    counter(
      'wappush_smpp_singles_forgotten_early_total',
      'Single SMS forgotten for maxRecentSingles within duplicateWindowMs (no store): a repeat of one is handed over again',
      (l) => l.singlesForgottenEarly,
    );
    counter(
      'wappush_smpp_retained_forgotten_early_total',
      'Datagrams kept after a failed handler, let go for maxRecentSingles within duplicateWindowMs: the resend of their last segment cannot complete them',
      (l) => l.retainedForgottenEarly,
    );
    counter(
      'wappush_smpp_handler_errors_total',
      'Datagrams whose handler threw or rejected',
      (l) => l.stats.handlerErrors,
    );
    statsCounter(
      registry,
      'wappush_reassembly_lost_total',
      'Concatenated pushes lost before they completed, by reason',
      [...BIND_LABELS, 'reason'],
      each(({ link, labels }) => LOST.map(([reason, key]): Row => [{ ...labels, reason }, link.stats[key]])),
    );
    const reassemblers = () => [...new Set(this.watched.map((w) => w.link.reassembler))];
    const sum = (name: string, help: string, read: (r: EsmeLink['reassembler']) => number, gauge = false) =>
      (gauge ? statsGauge : statsCounter)(registry, name, help, [], () => [
        [{}, reassemblers().reduce((n, r) => n + read(r), 0)],
      ]);
    sum(
      'wappush_reassembly_pending_messages',
      'Concatenated pushes waiting for segments',
      (r) => r.pendingMessages,
      true,
    );
    sum('wappush_reassembly_pending_bytes', 'User-data octets held for them', (r) => r.pendingBytes, true);
    sum('wappush_reassembly_segments_total', 'Segments taken by the reassembler', (r) => r.stats.segments);
    sum('wappush_reassembly_completed_total', 'Datagrams completed (single SMS included)', (r) => r.stats.datagrams);
    sum('wappush_reassembly_duplicates_total', 'Exact duplicate segments ignored', (r) => r.stats.duplicates);
    sum(
      'wappush_reassembly_rejected_total',
      'Segments rejected (bad sequence, total, conflicting)',
      (r) => r.stats.rejected,
    );
    sum(
      'wappush_reassembly_recent_forgotten_early_total',
      'Completed pushes forgotten for maxRecentMessages before timeoutMs: a late resend of one is taken as new',
      (r) => r.recentForgottenEarly,
    );
    this.latency = histogram(
      registry,
      'wappush_segment_to_handler_seconds',
      'From the arrival of the segment completing a push to its handler settling (in-memory reassembly)',
      HANDLER_BUCKETS,
    );
  }

  observe(link: EsmeLink): void {
    if (this.watched.some((w) => w.link === link)) return;
    const w: Watched = { link, labels: { bind: maskUrl(link.bindName), system_id: link.systemId }, refused: new Map() };
    this.watched.push(w);
    link.on('refused', (r) => w.refused.set(r.status, (w.refused.get(r.status) ?? 0) + 1));
    link.on('handler-settled', ({ seconds }) => this.latency.record(seconds));
  }
}
