/**
 * `wappush decode --tree`: the dissection tree (src/dissect) as JSON, or as an indented text
 * view with offsets, one line a node.
 */
import type { DissectNode } from '../dissect/index.js';

export type TreeFormat = 'json' | 'text';

/** The text view: offset and length in decimal, then the node; warnings and the error under it. */
export function treeText(root: DissectNode): string {
  const lines: string[] = [];
  const visit = (n: DissectNode, depth: number, inSource: boolean) => {
    const pad = '  '.repeat(depth);
    const where = `${String(n.offset).padStart(5)} ${`+${n.length}`.padEnd(5)}`;
    const value = n.value === undefined ? '' : `: ${typeof n.value === 'string' ? JSON.stringify(n.value) : n.value}`;
    const src = n.source ? `   (offsets below are into the ${n.source.name}, ${n.source.octets.length} octets)` : '';
    lines.push(`${inSource ? '*' : ' '}${where} ${pad}${n.name}${value}${src}`);
    for (const w of n.warnings) lines.push(`${' '.repeat(12)} ${pad}  warning ${w.code} at ${w.offset}: ${w.message}`);
    if (n.error) lines.push(`${' '.repeat(12)} ${pad}  error ${n.error.code} at ${n.error.offset}: ${n.error.message}`);
    for (const c of n.children) visit(c, depth + 1, inSource || c.source !== undefined);
  };
  visit(root, 0, false);
  return lines.join('\n') + '\n';
}

/** The error node that ends a tree, if decoding stopped somewhere. */
export function treeError(root: DissectNode): DissectNode['error'] {
  for (const c of root.children) {
    if (c.error) return c.error;
    if (c.source) {
      const inner = treeError(c);
      if (inner) return inner;
    }
  }
  return undefined;
}
