/** The PAP documents the PPG writes (WAP-247-PAP 9): responses, and result notifications. */
import type { PapCode } from './codes.js';
import type { MessageState } from './codes.js';

export const PAP_CONTENT_TYPE = 'application/xml';
const HEAD =
  '<?xml version="1.0"?>\n<!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd">\n';

/** PAP 9.2 time stamp: UTC, seconds, Z. */
export function papTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

type Attributes = Record<string, string | number | undefined>;
function element(name: string, attributes: Attributes, children = ''): string {
  let out = `<${name}`;
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out += ` ${k}="${escape(String(v))}"`;
  return children ? `${out}>${children}</${name}>` : `${out}/>`;
}
const pap = (body: string) => `${HEAD}<pap>${body}</pap>\n`;

export interface Sender {
  senderAddress?: string;
  senderName?: string;
}

/** A progress-note of a push-response (PAP 2.0: stage, note, time), when the PI asked for them. */
export interface ProgressNote {
  stage: string;
  note?: string;
  time: number;
}

export function pushResponse(
  pushId: string,
  code: PapCode,
  desc: string,
  sender: Sender,
  now: number,
  notes: readonly ProgressNote[] = [],
): string {
  const progress = notes.map((n) => element('progress-note', { stage: n.stage, note: n.note, time: papTime(n.time) }));
  return pap(
    element(
      'push-response',
      {
        'push-id': pushId,
        'sender-address': sender.senderAddress,
        'sender-name': sender.senderName,
        'reply-time': papTime(now),
      },
      progress.join('') + element('response-result', { code, desc }),
    ),
  );
}

/** The answer to a ccq-message: its query-id, a code and desc, and the address asked about. */
export function ccqResponse(
  queryId: string,
  address: string,
  code: PapCode,
  desc: string,
  sender: Sender,
  now: number,
): string {
  return pap(
    element(
      'ccq-response',
      {
        'query-id': queryId,
        code,
        desc,
        'sender-address': sender.senderAddress,
        'sender-name': sender.senderName,
        'reply-time': papTime(now),
      },
      element('address', { 'address-value': address }),
    ),
  );
}

export function badMessageResponse(code: PapCode, desc: string, fragment?: string): string {
  return pap(element('badmessage-response', { code, desc, 'bad-message-fragment': fragment?.slice(0, 256) }));
}

export interface AddressResult {
  address?: string;
  state: MessageState;
  code: PapCode;
  desc: string;
  eventTime?: number;
}

export function statusQueryResponse(
  pushId: string,
  results: readonly AddressResult[],
  sender: Sender,
  now: number,
): string {
  const children = results
    .map((r) =>
      element(
        'statusquery-result',
        {
          'event-time': r.eventTime === undefined ? undefined : papTime(r.eventTime),
          'message-state': r.state,
          code: r.code,
          desc: r.desc,
        },
        r.address === undefined ? '' : element('address', { 'address-value': r.address }),
      ),
    )
    .join('');
  return pap(
    element(
      'statusquery-response',
      {
        'push-id': pushId,
        'sender-address': sender.senderAddress,
        'sender-name': sender.senderName,
        'reply-time': papTime(now),
      },
      children,
    ),
  );
}

export function cancelResponse(
  pushId: string,
  results: readonly { address?: string; code: PapCode; desc: string }[],
): string {
  const children = results
    .map((r) =>
      element(
        'cancel-result',
        { code: r.code, desc: r.desc },
        r.address === undefined ? '' : element('address', { 'address-value': r.address }),
      ),
    )
    .join('');
  return pap(element('cancel-response', { 'push-id': pushId }, children));
}

export interface Notification extends AddressResult, Sender {
  pushId: string;
  address: string;
  receivedTime: number;
  deliveryMethod?: string;
}

export function resultNotification(n: Notification): string {
  return pap(
    element(
      'resultnotification-message',
      {
        'push-id': n.pushId,
        'sender-address': n.senderAddress,
        'sender-name': n.senderName,
        'received-time': papTime(n.receivedTime),
        'event-time': papTime(n.eventTime ?? n.receivedTime),
        'message-state': n.state,
        code: n.code,
        desc: n.desc,
      },
      element('address', { 'address-value': n.address }) +
        (n.deliveryMethod ? element('quality-of-service', { 'delivery-method': n.deliveryMethod }) : ''),
    ),
  );
}
