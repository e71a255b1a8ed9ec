/**
 * One PAP request body, as POSTed: a push-message arrives as multipart/related (control
 * entity, content entity, optionally capabilities); statusquery-message and cancel-message
 * arrive as the control entity alone (application/xml) or as a one-part multipart.
 */
import { PapCode, PapError } from './codes.js';
import { headerValue, parseMediaType, parseMultipart, type BodyPart } from './multipart.js';
import { parseControlEntity, type PapMessage } from './pap.js';

export interface PapRequest {
  message: PapMessage;
  /** The content entity of a push-message. */
  content?: BodyPart;
  /** The control entity's text, for a badmessage-response fragment. */
  control: string;
}

const XML_TYPES: ReadonlySet<string> = new Set(['application/xml', 'text/xml']);

export function parsePapRequest(contentType: string | undefined, body: Uint8Array): PapRequest {
  if (!contentType) throw new PapError(PapCode.BAD_REQUEST, 'the request has no Content-Type');
  const { type, parameters } = parseMediaType(contentType);
  if (XML_TYPES.has(type)) {
    const control = text(body);
    const message = parseControlEntity(control);
    if (message.kind === 'push-message')
      throw new PapError(PapCode.BAD_REQUEST, 'a push-message comes as multipart/related with its content entity');
    return { message, control };
  }
  if (type !== 'multipart/related')
    throw new PapError(PapCode.BAD_REQUEST, `Content-Type ${type} is not multipart/related or application/xml`);
  const parts = parseMultipart(body, parameters.boundary ?? '');
  if (parts.length === 0) throw new PapError(PapCode.BAD_REQUEST, 'the multipart body holds no entity');
  const [first, second] = parts;
  const firstType = parseMediaType(headerValue(first.headers, 'content-type') ?? 'application/xml').type;
  if (!XML_TYPES.has(firstType))
    throw new PapError(PapCode.BAD_REQUEST, `the control entity is ${firstType}, not application/xml`, first.offset);
  const control = text(first.body);
  const message = parseControlEntity(control);
  if (message.kind !== 'push-message') return { message, control };
  if (!second) throw new PapError(PapCode.BAD_REQUEST, 'the push-message has no content entity');
  return { message, content: second, control };
}

function text(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
}
