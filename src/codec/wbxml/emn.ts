/**
 * E-mail Notification (OMA-Push-EMN-V1_0): <emn mailbox="..." timestamp="..."/>; the
 * timestamp is an OPAQUE date in WBXML, coded as SI dates are.
 */
import type { Warned } from '../warnings.js';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeDocument } from './document.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import { dateAttribute, dateToOpaque } from './opaqueDate.js';
import { EMN } from './vocabularies.js';
import type { TokenizeOptions } from './tokenizer.js';
import { attributeIndex, offsetOf, type Where } from './origin.js';
import { attributeOf, type WbxmlAttribute, type WbxmlElement } from './tree.js';

export interface EmailNotification extends Warned {
  type: 'emn';
  /** mailat:, pop://, imap:// or http(s) URI of the mailbox with new mail. */
  mailbox: string;
  /** ISO 8601 UTC, when present. */
  timestamp?: string;
}

export function emnFromTree(root: WbxmlElement, where: Where = 0): EmailNotification {
  if (root.name !== 'emn')
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), `root element is <${root.name}>, not <emn>`);
  const mailbox = attributeOf(root, 'mailbox')?.value;
  if (!mailbox)
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), '<emn> without the required mailbox attribute');
  const emn: EmailNotification = { type: 'emn', mailbox };
  const ts = attributeIndex(root, 'timestamp');
  if (ts >= 0) emn.timestamp = dateAttribute('timestamp', root, ts, where);
  return emn;
}

export function emnToTree(emn: { mailbox: string; timestamp?: string }): WbxmlElement {
  if (!emn.mailbox) throw new EncodeError('BAD_INPUT', 'an EMN needs a mailbox');
  const attributes: WbxmlAttribute[] = [{ name: 'mailbox', value: emn.mailbox }];
  if (emn.timestamp !== undefined)
    attributes.push({ name: 'timestamp', value: emn.timestamp, opaque: dateToOpaque(emn.timestamp) });
  return { name: 'emn', attributes, children: [] };
}

export function decodeEmn(input: Uint8Array, options?: Omit<TokenizeOptions, 'vocabulary'>): EmailNotification {
  return decodeDocument(input, EMN, emnFromTree, options);
}

export function encodeEmn(emn: { mailbox: string; timestamp?: string }, options?: WbxmlEncodeOptions): Uint8Array {
  return encodeWbxml(emnToTree(emn), EMN, options);
}
