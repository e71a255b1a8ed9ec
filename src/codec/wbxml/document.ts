/**
 * A WBXML document read into its object: the element tree, then the document type's mapping,
 * which finds the offsets of what it refuses through the document's origin.
 */
import { attachWarnings, closeWarnings, openWarnings, warn, WarningCode, type Warned } from '../warnings.js';
import type { TokenizeOptions } from './tokenizer.js';
import { decodeWbxml, type WbxmlElement } from './tree.js';
import type { Where } from './origin.js';
import type { Vocabulary } from './vocabulary.js';
import { WbxmlOrigin } from './wbxmlOrigin.js';

export function decodeDocument<T extends Warned>(
  input: Uint8Array,
  vocabulary: Vocabulary,
  fromTree: (root: WbxmlElement, where: Where) => T,
  options?: Omit<TokenizeOptions, 'vocabulary'>,
): T {
  const origin = new WbxmlOrigin(input, vocabulary, options?.defaultCharset, options?.limits, options?.strict);
  const outer = openWarnings();
  let doc: T;
  let warnings;
  try {
    const { root, trailing } = decodeWbxml(input, origin);
    if (trailing) trailingData(input.length, trailing);
    origin.root = root;
    doc = fromTree(root, origin);
  } finally {
    warnings = closeWarnings(outer);
  }
  attachWarnings(doc, warnings);
  return doc;
}

/** Octets after the root element (WBXML 1.3 5.3 lets only processing instructions follow it). */
export function trailingData(length: number, trailing: number): void {
  warn(
    WarningCode.TRAILING_DATA,
    length - trailing,
    `${trailing} octet${trailing === 1 ? '' : 's'} after the root element, ignored`,
  );
}
