/** Service Loading (WAP-168-ServiceLoad-20010731-a): object <-> element tree <-> WBXML. */
import { DecodeError, EncodeError } from '../errors.js';
import { encodeWbxml, type WbxmlEncodeOptions } from './encoder.js';
import type { TokenizeOptions } from './tokenizer.js';
import { attributeOf, decodeWbxml, type WbxmlAttribute, type WbxmlElement } from './tree.js';
import { SL } from './vocabularies.js';

export type SlAction = 'execute-low' | 'execute-high' | 'cache';
export const SL_ACTIONS: readonly SlAction[] = ['execute-low', 'execute-high', 'cache'];
/** WAP-168 6.2: action defaults to execute-low. */
export const SL_DEFAULT_ACTION: SlAction = 'execute-low';

export interface ServiceLoading {
  type: 'sl';
  href: string;
  action: SlAction;
}

export function slFromTree(root: WbxmlElement, offset = 0): ServiceLoading {
  if (root.name !== 'sl') throw new DecodeError('BAD_DOCUMENT', offset, `root element is <${root.name}>, not <sl>`);
  const href = attributeOf(root, 'href');
  if (!href) throw new DecodeError('BAD_DOCUMENT', offset, 'SL without the required href attribute');
  const action = attributeOf(root, 'action')?.value ?? SL_DEFAULT_ACTION;
  if (!SL_ACTIONS.includes(action as SlAction)) {
    throw new DecodeError(
      'BAD_DOCUMENT',
      offset,
      `SL action ${JSON.stringify(action)} is not one of ${SL_ACTIONS.join(', ')}`,
    );
  }
  return { type: 'sl', href: href.value, action: action as SlAction };
}

export function slToTree(sl: { href: string; action?: SlAction }): WbxmlElement {
  const attrs: WbxmlAttribute[] = [{ name: 'href', value: sl.href }];
  if (sl.action !== undefined && sl.action !== SL_DEFAULT_ACTION) {
    if (!SL_ACTIONS.includes(sl.action)) throw new EncodeError('BAD_INPUT', `unknown SL action ${sl.action}`);
    attrs.push({ name: 'action', value: sl.action });
  }
  return { name: 'sl', attributes: attrs, children: [] };
}

export function decodeSl(input: Uint8Array, options?: Omit<TokenizeOptions, 'vocabulary'>): ServiceLoading {
  return slFromTree(decodeWbxml(input, { ...options, vocabulary: SL }).root);
}

export function encodeSl(sl: { href: string; action?: SlAction }, options?: WbxmlEncodeOptions): Uint8Array {
  return encodeWbxml(slToTree(sl), SL, options);
}
