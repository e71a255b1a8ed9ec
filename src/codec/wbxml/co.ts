/** Cache Operation (WAP-175-CacheOp-20010731-a): object <-> element tree <-> WBXML. */
import type { Warned } from '../warnings.js';
import { DecodeError, EncodeError } from '../errors.js';
import { decodeDocument } from './document.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import type { TokenizeOptions } from './tokenizer.js';
import { offsetOf, type Where } from './origin.js';
import { missing } from './lenient.js';
import { attributeOf, type WbxmlElement } from './tree.js';
import { CO } from './vocabularies.js';

export interface CacheOperation extends Warned {
  type: 'co';
  /** invalidate-object URIs, in document order. */
  objects: string[];
  /** invalidate-service URIs, in document order. */
  services: string[];
}

export function coFromTree(root: WbxmlElement, where: Where = 0): CacheOperation {
  if (root.name !== 'co')
    throw new DecodeError('BAD_DOCUMENT', offsetOf(where, root), `root element is <${root.name}>, not <co>`);
  const co: CacheOperation = { type: 'co', objects: [], services: [] };
  for (const c of root.children) {
    if (typeof c !== 'object' || !('name' in c)) continue;
    const uri = attributeOf(c, 'uri');
    if (c.name !== 'invalidate-object' && c.name !== 'invalidate-service') continue;
    if (!uri)
      throw new DecodeError('BAD_DOCUMENT', offsetOf(where, c), `<${c.name}> without the required uri attribute`);
    (c.name === 'invalidate-object' ? co.objects : co.services).push(uri.value);
  }
  if (co.objects.length + co.services.length === 0)
    missing(offsetOf(where, root), '<co> without the <invalidate-object> or <invalidate-service> its DTD requires');
  return co;
}

export function coToTree(co: { objects?: string[]; services?: string[] }): WbxmlElement {
  const children: WbxmlElement[] = [];
  for (const uri of co.objects ?? [])
    children.push({ name: 'invalidate-object', attributes: [{ name: 'uri', value: uri }], children: [] });
  for (const uri of co.services ?? [])
    children.push({ name: 'invalidate-service', attributes: [{ name: 'uri', value: uri }], children: [] });
  if (children.length === 0)
    throw new EncodeError('BAD_INPUT', 'a CO needs at least one invalidate-object or invalidate-service');
  return { name: 'co', attributes: [], children };
}

export function decodeCo(input: Uint8Array, options?: Omit<TokenizeOptions, 'vocabulary'>): CacheOperation {
  return decodeDocument(input, CO, coFromTree, options);
}

export function encodeCo(co: { objects?: string[]; services?: string[] }, options?: WbxmlEncodeOptions): Uint8Array {
  return encodeWbxml(coToTree(co), CO, options);
}
