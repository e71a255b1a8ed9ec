/**
 * multipart/related bodies (RFC 2387, the framing of RFC 2046 5.1) as PAP sends them: the
 * control entity, the content entity, optionally a capabilities entity (WAP-247-PAP 8).
 * Parts are views of the body; their headers are read here, bounded.
 */
import { PapCode, PapError } from './codes.js';

export interface EntityHeader {
  /** Lower-cased. */
  name: string;
  value: string;
}

export interface BodyPart {
  headers: EntityHeader[];
  body: Uint8Array;
  /** Where the part's body starts in the request body. */
  offset: number;
}

/** A PAP request has at most three entities; more is not a PAP request. */
export const MAX_PARTS = 3;
/** Octets of one part's header block. */
export const MAX_PART_HEADER_OCTETS = 8_192;

/** Media type (lower-case) and parameters (names lower-case) of a Content-Type value. */
export function parseMediaType(value: string): { type: string; parameters: Record<string, string> } {
  const [head, ...rest] = splitParameters(value);
  const parameters: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    parameters[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type: head.trim().toLowerCase(), parameters };
}

/** Splits on `;` outside quoted strings. */
function splitParameters(value: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

/**
 * Splits a multipart body by its boundary. Lines may end CRLF or LF alone (initiators that
 * build the body by hand send either). A missing close delimiter, a part without its blank
 * line, more than MAX_PARTS parts or an oversized header block is a PapError BAD_REQUEST.
 */
export function parseMultipart(body: Uint8Array, boundary: string): BodyPart[] {
  if (!boundary || boundary.length > 70)
    throw new PapError(PapCode.BAD_REQUEST, 'multipart boundary missing or longer than 70 characters');
  const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: BodyPart[] = [];
  let at = findDelimiter(buf, delimiter, 0);
  if (at < 0) throw new PapError(PapCode.BAD_REQUEST, `no --${boundary} delimiter in the body`);
  for (;;) {
    let p = at + delimiter.length;
    if (buf[p] === 0x2d && buf[p + 1] === 0x2d) return parts; // close delimiter
    p = skipLineEnd(buf, p);
    if (p < 0) throw new PapError(PapCode.BAD_REQUEST, 'a delimiter line is not followed by a line end', at);
    const next = findDelimiter(buf, delimiter, p);
    if (next < 0) throw new PapError(PapCode.BAD_REQUEST, 'the body ends before its close delimiter', p);
    if (parts.length === MAX_PARTS)
      throw new PapError(PapCode.BAD_REQUEST, `more than ${MAX_PARTS} entities in the request`, at);
    // The line end before the next delimiter belongs to the delimiter (RFC 2046 5.1.1).
    let end = next;
    if (buf[end - 1] === 0x0a) end--;
    if (buf[end - 1] === 0x0d) end--;
    parts.push(readPart(buf, p, Math.max(p, end)));
    at = next;
  }
}

/** The next delimiter at the start of a line (or of the body). */
function findDelimiter(buf: Buffer, delimiter: Buffer, from: number): number {
  let i = from;
  for (;;) {
    i = buf.indexOf(delimiter, i);
    if (i < 0) return -1;
    if (i === 0 || buf[i - 1] === 0x0a) return i;
    i++;
  }
}

function skipLineEnd(buf: Buffer, p: number): number {
  // Transport padding (spaces, tabs) may follow a delimiter.
  while (buf[p] === 0x20 || buf[p] === 0x09) p++;
  if (buf[p] === 0x0d && buf[p + 1] === 0x0a) return p + 2;
  if (buf[p] === 0x0a) return p + 1;
  return -1;
}

function readPart(buf: Buffer, start: number, end: number): BodyPart {
  const headers: EntityHeader[] = [];
  let p = start;
  let last: EntityHeader | undefined;
  for (;;) {
    if (p - start > MAX_PART_HEADER_OCTETS)
      throw new PapError(PapCode.BAD_REQUEST, `an entity's headers exceed ${MAX_PART_HEADER_OCTETS} octets`, start);
    const nl = buf.indexOf(0x0a, p);
    if (nl < 0 || nl >= end) {
      // No blank line: an entity with headers only and no body.
      if (p < end && buf.subarray(p, end).toString('latin1').trim() !== '')
        throw new PapError(PapCode.BAD_REQUEST, 'an entity has no blank line after its headers', p);
      return { headers, body: new Uint8Array(0), offset: end };
    }
    const lineEnd = nl > p && buf[nl - 1] === 0x0d ? nl - 1 : nl;
    if (lineEnd === p) {
      const bodyStart = nl + 1;
      return {
        headers,
        body: new Uint8Array(buf.buffer, buf.byteOffset + bodyStart, end - bodyStart),
        offset: bodyStart,
      };
    }
    const line = buf.toString('latin1', p, lineEnd);
    if ((line[0] === ' ' || line[0] === '\t') && last) last.value += ' ' + line.trim();
    else {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new PapError(PapCode.BAD_REQUEST, `not a header line: ${line.slice(0, 80)}`, p);
      last = { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
      headers.push(last);
    }
    p = nl + 1;
  }
}

export function headerValue(headers: readonly EntityHeader[], name: string): string | undefined {
  return headers.find((h) => h.name === name)?.value;
}
