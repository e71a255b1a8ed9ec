/**
 * A WBXML document read into its object: the element tree, then the document type's mapping,
 * which finds the offsets of what it refuses through the document's origin.
 */
import type { TokenizeOptions } from './tokenizer.js';
import { decodeWbxml, type WbxmlElement } from './tree.js';
import type { Where } from './origin.js';
import type { Vocabulary } from './vocabulary.js';
import { wbxmlOrigin } from './wbxmlOrigin.js';

export function decodeDocument<T>(
  input: Uint8Array,
  vocabulary: Vocabulary,
  fromTree: (root: WbxmlElement, where: Where) => T,
  options?: Omit<TokenizeOptions, 'vocabulary'>,
): T {
  const tokenize: TokenizeOptions = { ...options, vocabulary };
  const { root } = decodeWbxml(input, tokenize);
  return fromTree(root, wbxmlOrigin(input, root, tokenize));
}
