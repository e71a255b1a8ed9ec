// What every dissection tree must hold, checked the same way for fixtures and generated pushes.
import { expect } from 'vitest';
import type { DissectNode } from '../../src/dissect/index.js';

/** Nodes in tree order, each with the node above it that opened its octets' source. */
export function* walk(n: DissectNode, space: DissectNode = n): Generator<[DissectNode, DissectNode]> {
  yield [n, space];
  for (const c of n.children) yield* walk(c, c.source ? c : space);
}

/**
 * The leaves of each octet space (the input, and each reassembled datagram) cover it exactly
 * once, in order; every node lies inside the node above it.
 */
export function expectCoverage(root: DissectNode, inputLength: number): void {
  const spaces = new Map<DissectNode, Array<[number, number]>>();
  const check = (n: DissectNode, parent: DissectNode | undefined) => {
    if (parent && !n.source) {
      expect(n.offset, `${n.name} starts inside ${parent.name}`).toBeGreaterThanOrEqual(parent.offset);
      expect(n.offset + n.length, `${n.name} ends inside ${parent.name}`).toBeLessThanOrEqual(
        parent.offset + parent.length,
      );
    }
    for (const c of n.children) check(c, c.source ? undefined : n);
  };
  check(root, undefined);
  for (const [n, space] of walk(root)) {
    if (n.children.length === 0 && n.length > 0) {
      const list = spaces.get(space) ?? [];
      list.push([n.offset, n.offset + n.length]);
      spaces.set(space, list);
    }
  }
  for (const [space, ranges] of spaces) {
    const length = space === root ? inputLength : space.source!.octets.length;
    let at = 0;
    for (const [start, end] of ranges) {
      expect(start, `a leaf of ${space.name} starts where the one before ended`).toBe(at);
      at = end;
    }
    expect(at, `the leaves of ${space.name} reach its end`).toBe(length);
  }
}

/** The first node named `name` (in tree order), or undefined. */
export function find(root: DissectNode, name: string): DissectNode | undefined {
  for (const [n] of walk(root)) if (n.name === name) return n;
  return undefined;
}

export function findAll(root: DissectNode, test: (n: DissectNode) => boolean): DissectNode[] {
  return [...walk(root)].map(([n]) => n).filter(test);
}
