/**
 * The PAP control entity (WAP-247-PAP 9): the `<pap>` document with one of push-message,
 * statusquery-message or cancel-message, read with saxes (no DTD fetched, no entities
 * expanded beyond XML's five). Element and attribute names are the specification's.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { PapCode, PapError } from './codes.js';

export type DeliveryMethod = 'confirmed' | 'preferconfirmed' | 'unconfirmed' | 'notspecified';
const DELIVERY_METHODS: readonly string[] = ['confirmed', 'preferconfirmed', 'unconfirmed', 'notspecified'];
const isDeliveryMethod = (v: string): v is DeliveryMethod => DELIVERY_METHODS.includes(v);
const isPriority = (v: string): v is QualityOfService['priority'] => v === 'high' || v === 'medium' || v === 'low';

export interface QualityOfService {
  deliveryMethod: DeliveryMethod;
  priority: 'high' | 'medium' | 'low';
  network?: string;
  networkRequired: boolean;
  bearer?: string;
  bearerRequired: boolean;
}

export interface PushMessage {
  kind: 'push-message';
  pushId: string;
  /** ISO 8601 UTC as written (PAP 9.2: YYYY-MM-DDThh:mm:ssZ), and as a time. */
  deliverBeforeTimestamp?: number;
  deliverAfterTimestamp?: number;
  sourceReference?: string;
  ppgNotifyRequestedTo?: string;
  progressNotesRequested: boolean;
  /** address-value of each <address>, as written. */
  addresses: string[];
  qos: QualityOfService;
}

export interface StatusQueryMessage {
  kind: 'statusquery-message';
  pushId: string;
  addresses: string[];
}

export interface CancelMessage {
  kind: 'cancel-message';
  pushId: string;
  addresses: string[];
}

/** A client capabilities query (PAP 2.0 ccq-message): one address, a query-id, maybe an app-id. */
export interface CcqMessage {
  kind: 'ccq-message';
  queryId: string;
  appId?: string;
  addresses: string[];
}

export type PapMessage = PushMessage | StatusQueryMessage | CancelMessage | CcqMessage;

/** Octets of a control entity. */
export const MAX_CONTROL_OCTETS = 65_536;
/** <address> elements in one message (each is one push). */
export const MAX_ADDRESSES = 1_000;
/** Characters of one attribute value. */
export const MAX_ATTRIBUTE_CHARS = 2_048;
/** Element nesting in a control entity. */
const MAX_DEPTH = 8;

const MESSAGES: ReadonlySet<string> = new Set(['push-message', 'statusquery-message', 'cancel-message', 'ccq-message']);
/** Messages a PPG is not sent (it sends resultnotification-message, and gets its answer over HTTP): 3001. */
const NOT_IMPLEMENTED: ReadonlySet<string> = new Set(['resultnotification-response']);

/** PAP 9.2: time stamps are UTC, second precision, `Z`. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

export function parseTimestamp(value: string, name: string): number {
  const m = TIMESTAMP.exec(value);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) + 'Z' !== value)
    throw new PapError(PapCode.BAD_REQUEST, `${name} is not a PAP time stamp (YYYY-MM-DDThh:mm:ssZ): ${value}`);
  return t;
}

export function parseControlEntity(xml: string): PapMessage {
  if (xml.length > MAX_CONTROL_OCTETS)
    throw new PapError(PapCode.BAD_REQUEST, `the control entity exceeds ${MAX_CONTROL_OCTETS} characters`);
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  let message: SaxesTagPlain | undefined;
  const addresses: string[] = [];
  let qos: SaxesTagPlain | undefined;
  let failure: PapError | undefined;
  const fail = (code: PapCode, text: string) => {
    failure ??= new PapError(code, text, parser.position);
  };
  parser.on('error', (e) => fail(PapCode.BAD_REQUEST, `the control entity is not well-formed XML: ${e.message}`));
  parser.on('opentag', (tag) => {
    const depth = stack.length;
    stack.push(tag.name);
    if (depth >= MAX_DEPTH) return fail(PapCode.BAD_REQUEST, `elements nest deeper than ${MAX_DEPTH}`);
    for (const [k, v] of Object.entries(tag.attributes))
      if (v.length > MAX_ATTRIBUTE_CHARS)
        return fail(PapCode.BAD_REQUEST, `attribute ${k} is longer than ${MAX_ATTRIBUTE_CHARS} characters`);
    if (depth === 0) {
      if (tag.name !== 'pap') fail(PapCode.BAD_REQUEST, `the root element is <${tag.name}>, not <pap>`);
      return;
    }
    if (depth === 1) {
      if (message) return fail(PapCode.BAD_REQUEST, '<pap> holds more than one message');
      if (NOT_IMPLEMENTED.has(tag.name)) return fail(PapCode.NOT_IMPLEMENTED, `<${tag.name}> is not served here`);
      if (!MESSAGES.has(tag.name)) return fail(PapCode.BAD_REQUEST, `<${tag.name}> is not a PAP message`);
      message = tag;
      return;
    }
    if (depth === 2 && tag.name === 'address') {
      if (addresses.length === MAX_ADDRESSES)
        return fail(PapCode.BAD_REQUEST, `more than ${MAX_ADDRESSES} <address> elements`);
      const value = tag.attributes['address-value'];
      if (value === undefined) return fail(PapCode.BAD_REQUEST, '<address> without address-value');
      addresses.push(value);
    } else if (depth === 2 && tag.name === 'quality-of-service') qos = tag;
  });
  parser.on('closetag', () => void stack.pop());
  try {
    parser.write(xml).close();
  } catch (e) {
    fail(PapCode.BAD_REQUEST, `the control entity is not well-formed XML: ${(e as Error).message}`);
  }
  if (failure) throw failure;
  if (!message) throw new PapError(PapCode.BAD_REQUEST, '<pap> holds no message');
  const a = message.attributes;
  if (message.name === 'ccq-message') {
    const queryId = a['query-id'];
    if (!queryId) throw new PapError(PapCode.BAD_REQUEST, '<ccq-message> without query-id');
    if (addresses.length !== 1) throw new PapError(PapCode.BAD_REQUEST, '<ccq-message> names one <address>');
    const ccq: CcqMessage = { kind: 'ccq-message', queryId, addresses };
    if (a['app-id'] !== undefined) ccq.appId = a['app-id'];
    return ccq;
  }
  const pushId = a['push-id'];
  if (!pushId) throw new PapError(PapCode.BAD_REQUEST, `<${message.name}> without push-id`);
  if (message.name !== 'push-message') {
    return { kind: message.name === 'cancel-message' ? 'cancel-message' : 'statusquery-message', pushId, addresses };
  }
  if (addresses.length === 0) throw new PapError(PapCode.BAD_REQUEST, '<push-message> without <address>');
  const out: PushMessage = {
    kind: 'push-message',
    pushId,
    progressNotesRequested: bool(a['progress-notes-requested'], 'progress-notes-requested'),
    addresses,
    qos: qualityOfService(qos),
  };
  if (a['deliver-before-timestamp'] !== undefined)
    out.deliverBeforeTimestamp = parseTimestamp(a['deliver-before-timestamp'], 'deliver-before-timestamp');
  if (a['deliver-after-timestamp'] !== undefined)
    out.deliverAfterTimestamp = parseTimestamp(a['deliver-after-timestamp'], 'deliver-after-timestamp');
  if (a['source-reference'] !== undefined) out.sourceReference = a['source-reference'];
  if (a['ppg-notify-requested-to'] !== undefined) {
    const to = a['ppg-notify-requested-to'];
    if (!/^https?:\/\/[^\s]+$/i.test(to))
      throw new PapError(PapCode.BAD_REQUEST, `ppg-notify-requested-to is not an http(s) URL: ${to}`);
    out.ppgNotifyRequestedTo = to;
  }
  if (a['replace-push-id'] !== undefined)
    throw new PapError(PapCode.REPLACEMENT_NOT_SUPPORTED, 'replace-push-id is not supported');
  return out;
}

function bool(v: string | undefined, name: string): boolean {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  throw new PapError(PapCode.BAD_REQUEST, `${name} is "${v}", not true or false`);
}

function qualityOfService(tag: SaxesTagPlain | undefined): QualityOfService {
  const a = tag?.attributes ?? {};
  const deliveryMethod = a['delivery-method'] ?? 'notspecified';
  if (!isDeliveryMethod(deliveryMethod))
    throw new PapError(PapCode.BAD_REQUEST, `delivery-method "${deliveryMethod}" is not a PAP delivery method`);
  const priority = a['priority'] ?? 'medium';
  if (!isPriority(priority))
    throw new PapError(PapCode.BAD_REQUEST, `priority "${priority}" is not high, medium or low`);
  const q: QualityOfService = {
    deliveryMethod,
    priority,
    networkRequired: bool(a['network-required'], 'network-required'),
    bearerRequired: bool(a['bearer-required'], 'bearer-required'),
  };
  if (a['network'] !== undefined) q.network = a['network'];
  if (a['bearer'] !== undefined) q.bearer = a['bearer'];
  return q;
}
