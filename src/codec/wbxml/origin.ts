/**
 * Where a part of a document's element tree came from in its input: the offset an error or a
 * warning found after the tree was built points at. The tree keeps no offsets (that would cost
 * every decode); an origin finds one by a second pass over the input, so only a decode that has
 * something to say pays for it.
 */
import type { WbxmlElement } from './tree.js';

export interface Origin {
  /**
   * The offset of element `el` (its start tag); with `attribute` (an index into el.attributes),
   * of octet or character `char` of that attribute's value.
   */
  at(el: WbxmlElement, attribute?: number, char?: number): number;
}

/** A number stands for an origin that knows only where the document starts. */
export type Where = number | Origin;

export function offsetOf(where: Where, el: WbxmlElement, attribute?: number, char?: number): number {
  return typeof where === 'number' ? where : where.at(el, attribute, char);
}

/** The index of `el` in the document order of the elements under `root` (root is 0), or -1. */
export function elementIndex(root: WbxmlElement, el: WbxmlElement): number {
  let n = 0;
  const stack: WbxmlElement[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (e === el) return n;
    n++;
    for (let i = e.children.length - 1; i >= 0; i--) {
      const c = e.children[i];
      if (typeof c === 'object' && 'name' in c) stack.push(c);
    }
  }
  return -1;
}

/** The index of the attribute named `name` on `el`, or -1. */
export function attributeIndex(el: WbxmlElement, name: string): number {
  for (let i = 0; i < el.attributes.length; i++) if (el.attributes[i].name === name) return i;
  return -1;
}
