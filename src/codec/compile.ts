/**
 * What a PPG does with the XML a push initiator sends: pick the document by its root
 * element and compile it to WBXML with its binary content type. One row per document type.
 */
import { DecodeError } from './errors.js';
import { coFromTree, encodeCo } from './wbxml/co.js';
import { emnFromTree, encodeEmn } from './wbxml/emn.js';
import type { WbxmlEncodeOptions } from './wbxml/encoder.js';
import { encodeProvisioning, provisioningFromTree } from './wbxml/provisioning.js';
import { encodeSi, siFromTree } from './wbxml/si.js';
import { encodeSl, slFromTree } from './wbxml/sl.js';
import type { WbxmlElement } from './wbxml/tree.js';
import { parseXml } from './wbxml/xml.js';

export type CompiledContentType =
  | 'application/vnd.wap.sic'
  | 'application/vnd.wap.slc'
  | 'application/vnd.wap.coc'
  | 'application/vnd.wap.connectivity-wbxml'
  | 'application/vnd.wap.emn+wbxml';

export interface CompiledPush {
  contentType: CompiledContentType;
  body: Uint8Array;
}

const DOCUMENTS: Readonly<
  Record<
    string,
    { contentType: CompiledContentType; compile: (root: WbxmlElement, o?: WbxmlEncodeOptions) => Uint8Array }
  >
> = {
  si: { contentType: 'application/vnd.wap.sic', compile: (root, o) => encodeSi(siFromTree(root), o) },
  sl: { contentType: 'application/vnd.wap.slc', compile: (root, o) => encodeSl(slFromTree(root), o) },
  co: { contentType: 'application/vnd.wap.coc', compile: (root, o) => encodeCo(coFromTree(root), o) },
  'wap-provisioningdoc': {
    contentType: 'application/vnd.wap.connectivity-wbxml',
    compile: (root, o) => encodeProvisioning(provisioningFromTree(root), o),
  },
  emn: { contentType: 'application/vnd.wap.emn+wbxml', compile: (root, o) => encodeEmn(emnFromTree(root), o) },
};

export function compilePushXml(xml: string, options?: WbxmlEncodeOptions): CompiledPush {
  const root = parseXml(xml);
  const doc = Object.hasOwn(DOCUMENTS, root.name) ? DOCUMENTS[root.name] : undefined;
  if (!doc)
    throw new DecodeError(
      'BAD_DOCUMENT',
      0,
      `root element <${root.name}> is not one of ${Object.keys(DOCUMENTS).join(', ')}`,
    );
  return { contentType: doc.contentType, body: doc.compile(root, options) };
}
