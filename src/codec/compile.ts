/**
 * What a PPG does with the XML a push initiator sends: pick the document by its root
 * element and compile it to WBXML with its binary content type.
 */
import { DecodeError } from './errors.js';
import { coFromTree, encodeCo } from './wbxml/co.js';
import type { WbxmlEncodeOptions } from './wbxml/encoder.js';
import { encodeSi, siFromTree } from './wbxml/si.js';
import { encodeSl, slFromTree } from './wbxml/sl.js';
import { parseXml } from './wbxml/xml.js';

export interface CompiledPush {
  contentType: 'application/vnd.wap.sic' | 'application/vnd.wap.slc' | 'application/vnd.wap.coc';
  body: Uint8Array;
}

export function compilePushXml(xml: string, options?: WbxmlEncodeOptions): CompiledPush {
  const root = parseXml(xml);
  switch (root.name) {
    case 'si':
      return { contentType: 'application/vnd.wap.sic', body: encodeSi(siFromTree(root), options) };
    case 'sl':
      return { contentType: 'application/vnd.wap.slc', body: encodeSl(slFromTree(root), options) };
    case 'co':
      return { contentType: 'application/vnd.wap.coc', body: encodeCo(coFromTree(root), options) };
    default:
      throw new DecodeError('BAD_DOCUMENT', 0, `root element <${root.name}> is not si, sl or co`);
  }
}
