/**
 * Push content decoders chosen by content type. Types without a decoder here come back as
 * `binary` with their length; the octets stay with the message.
 */
import { charsetByName } from './charset/mibenum.js';
import type { Charset } from './charset/mibenum.js';
import { decodeText, encodeText } from './charset/text.js';
import { DecodeError } from './errors.js';
import { resolveLimits, type Limits } from './limits.js';
import {
  attachWarnings,
  closeWarnings,
  dropWarnings,
  openWarnings,
  warningMark,
  warningsSince,
  type Warned,
} from './warnings.js';
import { trailingData } from './wbxml/document.js';
import { coFromTree, type CacheOperation } from './wbxml/co.js';
import { emnFromTree, type EmailNotification } from './wbxml/emn.js';
import { provisioningFromTree, type ProvisioningDocument } from './wbxml/provisioning.js';
import { verifyProvisioning, type ProvisioningSecrets } from './wbxml/provisioningSecurity.js';
import { PROV } from './wbxml/provisioningVocabulary.js';
import { decodeMmsPdu, type MmsPdu } from './mms/pdu.js';
import { decodeSyncmlNotification, type SyncmlNotification, type SyncmlSecrets } from './syncml/notification.js';
import { siFromTree, type ServiceIndication } from './wbxml/si.js';
import { siFromBytes } from './wbxml/siBytes.js';
import { slFromTree, type ServiceLoading } from './wbxml/sl.js';
import type { Where } from './wbxml/origin.js';
import { decodeWbxml, type WbxmlElement } from './wbxml/tree.js';
import { CO, EMN, SI, SL } from './wbxml/vocabularies.js';
import type { Vocabulary } from './wbxml/vocabulary.js';
import { WbxmlOrigin } from './wbxml/wbxmlOrigin.js';
import { parseXml } from './wbxml/xml.js';
import { xmlOrigin } from './wbxml/xmlOrigin.js';
import type { Parameters } from './wsp/parameters.js';

export interface BinaryBody extends Warned {
  type: 'binary';
  length: number;
}

export type PushBody =
  | ServiceIndication
  | ServiceLoading
  | CacheOperation
  | ProvisioningDocument
  | EmailNotification
  | MmsPdu
  | SyncmlNotification
  | BinaryBody;

/** Secrets some bodies are authenticated with; never needed to decode them. */
export interface BodySecrets extends ProvisioningSecrets {
  /** SyncML notification digest check. */
  syncml?: SyncmlSecrets;
}

type BodyCodec =
  | {
      kind: 'wbxml';
      vocabulary: Vocabulary;
      fromTree: (root: WbxmlElement, where: Where) => PushBody;
      xml: boolean;
      /** A reader that skips the element tree for the usual documents; undefined: take the tree. */
      fast?: FastReader;
    }
  | {
      kind: 'binary';
      decode: (body: Uint8Array, params: Parameters, options: DecodeBodyOptions, limits: Limits) => PushBody;
    };

type FastReader = (body: Uint8Array, defaultCharset: Charset | undefined, limits: Limits) => PushBody | undefined;
const wbxml = (
  vocabulary: Vocabulary,
  fromTree: (root: WbxmlElement, where: Where) => PushBody,
  xml: boolean,
  fast?: FastReader,
): BodyCodec => ({ kind: 'wbxml', vocabulary, fromTree, xml, fast });

/** Content type -> decoder. Binary (WBXML) and textual (XML) forms of each document. */
const CODECS: ReadonlyMap<string, BodyCodec> = new Map([
  ['application/vnd.wap.sic', wbxml(SI, siFromTree, false, siFromBytes)],
  ['text/vnd.wap.si', wbxml(SI, siFromTree, true)],
  ['application/vnd.wap.slc', wbxml(SL, slFromTree, false)],
  ['text/vnd.wap.sl', wbxml(SL, slFromTree, true)],
  ['application/vnd.wap.coc', wbxml(CO, coFromTree, false)],
  ['text/vnd.wap.co', wbxml(CO, coFromTree, true)],
  ['application/vnd.wap.connectivity-wbxml', wbxml(PROV, provisioningFromTree, false)],
  ['text/vnd.wap.connectivity-xml', wbxml(PROV, provisioningFromTree, true)],
  ['application/vnd.wap.emn+wbxml', wbxml(EMN, emnFromTree, false)],
  ['text/vnd.wap.emn+xml', wbxml(EMN, emnFromTree, true)],
  [
    'application/vnd.wap.mms-message',
    { kind: 'binary', decode: (body, _p, o, limits) => decodeMmsPdu(body, { limits, baseOffset: o.baseOffset }) },
  ],
  [
    'application/vnd.syncml.notification',
    {
      kind: 'binary',
      decode: (body, _p, o) => decodeSyncmlNotification(body, { baseOffset: o.baseOffset, secrets: o.secrets?.syncml }),
    },
  ],
]);

type WbxmlCodec = Extract<BodyCodec, { kind: 'wbxml' }>;

function fromWbxml(codec: WbxmlCodec, body: Uint8Array, charset: Charset | undefined, limits: Limits): PushBody {
  const origin = new WbxmlOrigin(body, codec.vocabulary, charset, limits);
  const { root, trailing } = decodeWbxml(body, origin);
  if (trailing) trailingData(body.length, trailing);
  origin.root = root;
  return codec.fromTree(root, origin);
}

/** Content types are case-insensitive; WSP decoding already gives well-known ones in lower case. */
function codecFor(contentType: string): BodyCodec | undefined {
  return CODECS.get(contentType) ?? CODECS.get(contentType.toLowerCase());
}

/** The WBXML code pages of a content type the codec decodes as WBXML (not its XML form). */
export function wbxmlVocabularyFor(contentType: string): Vocabulary | undefined {
  const codec = codecFor(contentType);
  return codec?.kind === 'wbxml' && !codec.xml ? codec.vocabulary : undefined;
}

export function hasBodyDecoder(contentType: string): boolean {
  return codecFor(contentType) !== undefined;
}

export interface DecodeBodyOptions {
  limits?: Partial<Limits>;
  /** Added to error offsets, so they point into the enclosing PDU. */
  baseOffset?: number;
  /** PIN / IMSI for provisioning MACs, password / nonce for SyncML digests. */
  secrets?: BodySecrets;
}

/**
 * The octet offset of character `chars` of `text` decoded from `length` octets. Clamped to
 * the body: where the input had malformed sequences, each replacement character re-encodes
 * longer than the octet it stands for.
 */
function octetsBefore(text: string, chars: number, cs: Charset, length: number): number {
  const prefix = text.slice(0, Math.max(0, Math.min(chars, text.length)));
  let n: number;
  try {
    n = encodeText(prefix, cs).length;
  } catch {
    n = length;
  }
  return Math.min(n, length);
}

export function decodeBody(
  contentType: string,
  params: Parameters,
  body: Uint8Array,
  options: DecodeBodyOptions = {},
): PushBody {
  const codec = codecFor(contentType);
  if (!codec) return { type: 'binary', length: body.length };
  const base = options.baseOffset ?? 0;
  const limits = resolveLimits(options.limits);
  const outer = openWarnings();
  let decoded: PushBody;
  // try/catch, not finally: the collection is closed on each way out, and the way that does not
  // throw costs nothing for it.
  try {
    // Binary decoders take the base offset themselves.
    if (codec.kind === 'binary') decoded = codec.decode(body, params, options, limits);
    else decoded = decodeDocumentBody(codec, params, body, limits);
  } catch (e) {
    closeWarnings(outer);
    throw codec.kind === 'wbxml' ? movedError(e, base) : e;
  }
  const warnings = closeWarnings(outer, base);
  if (warnings !== undefined) attachWarnings(decoded, warnings);
  // OMA-WAP-ProvBoot 5: the MAC covers the document as sent; a document that does not verify is marked so.
  if (decoded.type === 'provisioning') decoded.authentication = verifyProvisioning(params, body, options.secrets);
  return decoded;
}

/** A document decoder's DecodeError with its offset moved into the enclosing PDU; anything else as it is. */
function movedError(e: unknown, base: number): unknown {
  return e instanceof DecodeError && base ? new DecodeError(e.code, e.offset + base, e.message) : e;
}

function decodeDocumentBody(
  codec: WbxmlCodec,
  params: Parameters,
  body: Uint8Array,
  limits: Readonly<Limits>,
): PushBody {
  const charsetName = typeof params.charset === 'string' ? params.charset : undefined;
  const charset = charsetName ? charsetByName(charsetName) : undefined;
  if (codec.xml) return fromXml(codec, body, charset, limits);
  if (codec.fast) {
    const mark = warningMark();
    const fast = codec.fast(body, charset, limits);
    if (fast) return fast;
    // What it said before stepping aside, the tree says again.
    dropWarnings(mark);
  }
  return fromWbxml(codec, body, charset, limits);
}

/** The textual form (XML): its own function, so that decodeDocumentBody stays small enough to inline. */
function fromXml(
  codec: WbxmlCodec,
  body: Uint8Array,
  charset: Charset | undefined,
  limits: Readonly<Limits>,
): PushBody {
  const cs = charset ?? charsetByName('utf-8')!;
  const text = decodeText(body, 0, body.length, cs);
  // What the XML side says counts characters; the error and warning contract counts octets of the input.
  const mark = warningMark();
  try {
    const root = parseXml(text, limits);
    return codec.fromTree(root, xmlOrigin(text, root));
  } catch (e) {
    if (e instanceof DecodeError)
      throw new DecodeError(e.code, octetsBefore(text, e.offset, cs, body.length), e.message);
    throw e;
  } finally {
    for (const w of warningsSince(mark)) w.offset = octetsBefore(text, w.offset, cs, body.length);
  }
}
