/**
 * Push content decoders chosen by content type. Types without a decoder here come back as
 * `binary` with their length; the octets stay with the message.
 */
import { charsetByName } from './charset/mibenum.js';
import { decodeText } from './charset/text.js';
import { DecodeError } from './errors.js';
import { resolveLimits, type Limits } from './limits.js';
import { coFromTree, type CacheOperation } from './wbxml/co.js';
import { siFromTree, type ServiceIndication } from './wbxml/si.js';
import { slFromTree, type ServiceLoading } from './wbxml/sl.js';
import { decodeWbxml, type WbxmlElement } from './wbxml/tree.js';
import { CO, SI, SL } from './wbxml/vocabularies.js';
import type { Vocabulary } from './wbxml/vocabulary.js';
import { parseXml } from './wbxml/xml.js';
import type { Parameters } from './wsp/parameters.js';

export interface BinaryBody {
  type: 'binary';
  length: number;
}

export type PushBody = ServiceIndication | ServiceLoading | CacheOperation | BinaryBody;

interface BodyCodec {
  vocabulary: Vocabulary;
  fromTree: (root: WbxmlElement, offset: number) => PushBody;
  xml: boolean;
}

/** Content type -> decoder. Binary (WBXML) and textual (XML) forms of each document. */
const CODECS: ReadonlyMap<string, BodyCodec> = new Map([
  ['application/vnd.wap.sic', { vocabulary: SI, fromTree: siFromTree, xml: false }],
  ['text/vnd.wap.si', { vocabulary: SI, fromTree: siFromTree, xml: true }],
  ['application/vnd.wap.slc', { vocabulary: SL, fromTree: slFromTree, xml: false }],
  ['text/vnd.wap.sl', { vocabulary: SL, fromTree: slFromTree, xml: true }],
  ['application/vnd.wap.coc', { vocabulary: CO, fromTree: coFromTree, xml: false }],
  ['text/vnd.wap.co', { vocabulary: CO, fromTree: coFromTree, xml: true }],
]);

export function hasBodyDecoder(contentType: string): boolean {
  return CODECS.has(contentType.toLowerCase());
}

export interface DecodeBodyOptions {
  limits?: Partial<Limits>;
  /** Added to error offsets, so they point into the enclosing PDU. */
  baseOffset?: number;
}

export function decodeBody(contentType: string, params: Parameters, body: Uint8Array, options: DecodeBodyOptions = {}): PushBody {
  const codec = CODECS.get(contentType.toLowerCase());
  if (!codec) return { type: 'binary', length: body.length };
  const base = options.baseOffset ?? 0;
  const limits = resolveLimits(options.limits);
  const charsetName = typeof params.charset === 'string' ? params.charset : undefined;
  const charset = charsetName ? charsetByName(charsetName) : undefined;
  try {
    if (codec.xml) {
      const text = decodeText(body, 0, body.length, charset ?? charsetByName('utf-8')!);
      return codec.fromTree(parseXml(text, limits), 0);
    }
    const doc = decodeWbxml(body, { vocabulary: codec.vocabulary, defaultCharset: charset, limits });
    return codec.fromTree(doc.root, 0);
  } catch (e) {
    if (e instanceof DecodeError && base) throw new DecodeError(e.code, e.offset + base, e.message);
    throw e;
  }
}
