/**
 * The origin of an XML document's tree, in characters of the text: the parser run again over
 * it, counting start tags in document order until it reaches the element. saxes reports an
 * attribute after its closing quote; its value starts after the matching opening quote.
 */
import { SaxesParser } from 'saxes';
import { elementIndex, type Origin } from './origin.js';
import type { WbxmlElement } from './tree.js';

export function xmlOrigin(text: string, root: WbxmlElement): Origin {
  return {
    at(el, attribute, char = 0) {
      const target = elementIndex(root, el);
      if (target < 0) return 0;
      const parser = new SaxesParser({ xmlns: false, position: true });
      let index = -1;
      let attr = -1;
      let found = -1;
      let tagAt = 0;
      /** Where the text after the previous event of the target element starts. */
      let from = 0;
      parser.on('opentagstart', (tag) => {
        if (found >= 0 || ++index !== target) return;
        // Reported one character after the name: the name ends before that character.
        from = parser.position - 1;
        tagAt = text.lastIndexOf('<', from - tag.name.length);
        if (attribute === undefined) found = tagAt;
      });
      parser.on('attribute', () => {
        if (found >= 0 || index !== target) return;
        const end = parser.position;
        if (++attr === attribute) {
          const start = valueStart(text, from, end);
          found = start + valueChars(text, start, char);
        }
        from = end;
      });
      parser.on('opentag', () => {
        if (found < 0 && index === target) found = tagAt;
      });
      parser.on('error', () => undefined);
      try {
        // The text parsed once already: stop as soon as the offset is known.
        for (let i = 0; i < text.length && found < 0; i += 4096) parser.write(text.slice(i, i + 4096));
      } catch {
        // The element is all there is.
      }
      return found >= 0 ? found : tagAt;
    },
  };
}

/** The first character of the attribute value whose closing quote is at end - 1. */
function valueStart(text: string, from: number, end: number): number {
  const eq = text.indexOf('=', from);
  const quote = text[end - 1];
  const open = text.indexOf(quote, eq + 1);
  return open < 0 || open >= end ? from : open + 1;
}

/** Characters of the raw value (entity references as written) before its decoded character `char`. */
function valueChars(text: string, start: number, char: number): number {
  let i = start;
  for (let k = 0; k < char && i < text.length; k++) {
    if (text[i] === '&') {
      const semi = text.indexOf(';', i);
      i = semi < 0 ? i + 1 : semi + 1;
    } else i++;
  }
  return i - start;
}
