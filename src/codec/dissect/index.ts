/**
 * `dissect` for what the codec alone reads: a WSP push PDU, or a bare push body. The decoders
 * run first and have the last word: their error ends the tree at its octet, their warnings go on
 * the nodes that hold theirs; the walk only says which octets are what.
 */
import { decodeBody, wbxmlVocabularyFor } from '../body.js';
import { charsetByName } from '../charset/mibenum.js';
import { DecodeError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { closeWarnings, openWarnings, type DecodeWarning } from '../warnings.js';
import { parseContentType } from '../wsp/contentType.js';
import { decodePushPdu } from '../wsp/pushPdu.js';
import { placeWarnings, TreeBuilder, type DissectNode } from './node.js';
import { dissectOther, dissectWbxml } from './wbxml.js';
import { dissectPushPdu } from './wsp.js';

export { placeWarnings, treeJson, TreeBuilder, node, type DissectNode } from './node.js';

export interface CodecDissectOptions {
  limits?: Partial<Limits>;
}

/** The tree of one WSP push PDU. */
export function dissectWsp(input: Uint8Array, options: CodecDissectOptions = {}): DissectNode {
  const b = new TreeBuilder('WSP push', 0, input.length);
  placeWarnings(b.root, addPushPdu(b, input, 0, input.length, resolveLimits(options.limits)));
  return b.root;
}

/** The tree of one push body of `contentType` ("application/vnd.wap.sic; charset=utf-8"), no PDU around it. */
export function dissectBody(input: Uint8Array, contentType: string, options: CodecDissectOptions = {}): DissectNode {
  const limits = resolveLimits(options.limits);
  const ct = parseContentType(contentType);
  const b = new TreeBuilder(ct.type, 0, input.length);
  const decoded = decode(() => decodeBody(ct.type, ct.params, input, { limits }).warnings);
  const vocabulary = wbxmlVocabularyFor(ct.type);
  const cs = typeof ct.params.charset === 'string' ? charsetByName(ct.params.charset) : undefined;
  const walked = walk(() => {
    if (vocabulary) dissectWbxml(b, input, 0, input.length, { vocabulary, defaultCharset: cs, limits });
    else dissectOther(b, input, 0, input.length, ct.type, cs);
  });
  placeWarnings(b.root, finish(b, decoded, walked));
  return b.root;
}

/**
 * Adds the PDU in input[start, end) to `b` and returns the warnings to place, offsets in the
 * input: the decoders' when they read it whole, else what the walk said before the error.
 */
export function addPushPdu(
  b: TreeBuilder,
  input: Uint8Array,
  start: number,
  end: number,
  limits: Limits,
): DecodeWarning[] {
  const pdu = input.subarray(start, end);
  const decoded = decode(() => {
    const msg = decodePushPdu(pdu, { limits });
    const body = decodeBody(msg.contentType, msg.contentTypeParameters, msg.body, {
      limits,
      baseOffset: msg.bodyOffset,
    });
    return [...(msg.warnings ?? []), ...(body.warnings ?? [])];
  }, start);
  return finish(
    b,
    decoded,
    walk(() => dissectPushPdu(b, input, start, end, limits)),
  );
}

interface Outcome {
  error?: DecodeError;
  warnings: DecodeWarning[];
}

function decode(run: () => DecodeWarning[] | undefined, base = 0): Outcome {
  try {
    const warnings = (run() ?? []).map((w) => ({ ...w, offset: w.offset + base }));
    return { warnings };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { error: base ? new DecodeError(e.code, e.offset + base, e.message) : e, warnings: [] };
  }
}

/** The walk, with what the codec's readers say on the way kept apart from any decode around it. */
function walk(run: () => void): Outcome {
  const outer = openWarnings();
  let error: DecodeError | undefined;
  let said: DecodeWarning[] | undefined;
  try {
    run();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    error = e;
  } finally {
    said = closeWarnings(outer);
  }
  return { error, warnings: said ?? [] };
}

function finish(b: TreeBuilder, decoded: Outcome, walked: Outcome): DecodeWarning[] {
  const error = decoded.error ?? walked.error;
  if (!error) return decoded.warnings;
  b.fail(error);
  return walked.warnings.filter((w) => w.offset < error.offset);
}
