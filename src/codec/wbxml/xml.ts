/**
 * Push document XML (what a push initiator sends, and the textual content types) into the
 * element tree the WBXML side uses. Whitespace-only text is dropped and text is trimmed at
 * both ends, as a PPG does when it compiles SI/SL/CO (indentation is not content).
 */
import { SaxesParser } from 'saxes';
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DEFAULT_LIMITS } from '../limits.js';
import type { WbxmlElement } from './tree.js';

export function parseXml(text: string, limits: Readonly<Limits> = DEFAULT_LIMITS): WbxmlElement {
  if (text.length > limits.maxDocumentSize) {
    throw new DecodeError('LIMIT', 0, `XML document of ${text.length} characters exceeds maxDocumentSize`);
  }
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: WbxmlElement[] = [];
  let root: WbxmlElement | undefined;
  let error: DecodeError | undefined;
  let nodes = 0;
  const fail = (e: DecodeError) => {
    if (!error) error = e;
  };
  // saxes reports an error after the character that shows it; at the end of the text there is
  // no such character, and the error is where the text stops.
  let closing = false;
  const at = () => (closing ? parser.position : Math.max(0, parser.position - 1));
  parser.on('error', (e) => fail(new DecodeError('BAD_XML', at(), e.message)));
  parser.on('opentag', (tag) => {
    if (++nodes > limits.maxNodes) return fail(new DecodeError('LIMIT', at(), 'more than maxNodes nodes'));
    if (stack.length >= limits.maxDepth) return fail(new DecodeError('LIMIT', at(), 'XML nested deeper than maxDepth'));
    const el: WbxmlElement = {
      name: tag.name,
      attributes: Object.entries(tag.attributes as Record<string, string>).map(([name, value]) => ({ name, value })),
      children: [],
    };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  const onText = (t: string) => {
    if (!stack.length) return;
    const children = stack[stack.length - 1].children;
    const last = children.length - 1;
    if (last >= 0 && typeof children[last] === 'string') children[last] += t;
    else children.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const el = stack.pop()!;
    el.children = el.children
      .map((c) => (typeof c === 'string' ? c.trim() : c))
      .filter((c) => typeof c !== 'string' || c.length > 0);
  });
  try {
    parser.write(text);
    closing = true;
    parser.close();
  } catch (e) {
    fail(new DecodeError('BAD_XML', at(), (e as Error).message));
  }
  if (error) throw error;
  if (!root) throw new DecodeError('BAD_XML', 0, 'XML has no root element');
  return root;
}
