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
import type { Where } from './wbxml/origin.js';
import type { WbxmlElement } from './wbxml/tree.js';
import { parseXml } from './wbxml/xml.js';
import { xmlOrigin } from './wbxml/xmlOrigin.js';

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
    {
      contentType: CompiledContentType;
      compile: (root: WbxmlElement, where: Where, o?: WbxmlEncodeOptions) => Uint8Array;
    }
  >
> = {
  si: { contentType: 'application/vnd.wap.sic', compile: (root, w, o) => encodeSi(siFromTree(root, w), o) },
  sl: { contentType: 'application/vnd.wap.slc', compile: (root, w, o) => encodeSl(slFromTree(root, w), o) },
  co: { contentType: 'application/vnd.wap.coc', compile: (root, w, o) => encodeCo(coFromTree(root, w), o) },
  'wap-provisioningdoc': {
    contentType: 'application/vnd.wap.connectivity-wbxml',
    compile: (root, w, o) => encodeProvisioning(provisioningFromTree(root, w), o),
  },
  emn: { contentType: 'application/vnd.wap.emn+wbxml', compile: (root, w, o) => encodeEmn(emnFromTree(root, w), o) },
};

export function compilePushXml(xml: string, options?: WbxmlEncodeOptions): CompiledPush {
  const root = parseXml(xml);
  const doc = Object.hasOwn(DOCUMENTS, root.name) ? DOCUMENTS[root.name] : undefined;
  if (!doc)
    throw new DecodeError(
      'BAD_DOCUMENT',
      xmlOrigin(xml, root).at(root),
      `root element <${root.name}> is not one of ${Object.keys(DOCUMENTS).join(', ')}`,
    );
  // Offsets in what is refused count characters of `xml`.
  return { contentType: doc.contentType, body: doc.compile(root, xmlOrigin(xml, root), options) };
}
