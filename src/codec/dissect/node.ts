/**
 * The dissection tree: what each run of octets of an input is, Wireshark's tree beside its byte
 * view. A separate path from the decoders: it reads the input again with the codec's own readers
 * and tables, and adds nothing to the decode path.
 */
import { DecodeError, type DecodeErrorCode } from '../errors.js';
import { toHex } from '../hex.js';
import type { DecodeWarning } from '../warnings.js';

export interface DissectNode {
  /** What the octets are, in the specification's words ("TID", "HeadersLen", "X-Wap-Application-Id"). */
  name: string;
  /** What they say, as the decode JSON has it where it has it. */
  value?: string | number;
  /** First octet, in the input (or in `source` of the nearest node above that has one). */
  offset: number;
  length: number;
  children: DissectNode[];
  /** What the decoders said about these octets (on the deepest node that holds the warning's octet). */
  warnings: DecodeWarning[];
  /** On the node that ends a tree where decoding stopped: the DecodeError. */
  error?: { code: DecodeErrorCode; message: string; offset: number };
  /**
   * Octets that are not the input's, for this node and everything below it: a datagram reassembled
   * from several segments. Offsets below are into these octets.
   */
  source?: { name: string; octets: Uint8Array };
}

export function node(name: string, offset: number, length: number, value?: string | number): DissectNode {
  const n: DissectNode = { name, offset, length, children: [], warnings: [] };
  if (value !== undefined) n.value = value;
  return n;
}

/**
 * Builds one tree over one run of octets, in order: containers are opened and closed, leaves
 * added inside the one open last. Offsets are absolute in the octets the root stands for.
 */
export class TreeBuilder {
  readonly root: DissectNode;
  private readonly stack: DissectNode[];
  /** Set by fail: the tree ends there, and what a caller adds after is dropped. */
  failed = false;

  constructor(name: string, offset: number, length: number) {
    this.root = node(name, offset, length);
    this.stack = [this.root];
  }

  get top(): DissectNode {
    return this.stack[this.stack.length - 1];
  }

  open(name: string, offset: number, value?: string | number): DissectNode {
    const n = node(name, offset, 0, value);
    if (this.failed) return n;
    this.top.children.push(n);
    this.stack.push(n);
    return n;
  }

  /** Closes the node opened last at `end`; `value` is set when given. */
  close(end: number, value?: string | number): DissectNode | undefined {
    if (this.failed || this.stack.length === 1) return undefined;
    const n = this.stack.pop()!;
    n.length = end - n.offset;
    if (value !== undefined) n.value = value;
    return n;
  }

  /** A node with no children over [start, end); nothing for an empty range. */
  leaf(name: string, start: number, end: number, value?: string | number): DissectNode | undefined {
    if (end <= start || this.failed) return undefined;
    const n = node(name, start, end - start, value);
    this.top.children.push(n);
    return n;
  }

  /** Adds a finished subtree inside the node opened last. */
  add(n: DissectNode): void {
    if (!this.failed) this.top.children.push(n);
  }

  /**
   * Ends the tree where decoding stopped: what starts at or after the error's octet goes, what
   * runs over it ends there, and an error node on the root stands for the octets from there on.
   */
  fail(e: DecodeError): DissectNode {
    const at = Math.max(this.root.offset, Math.min(e.offset, this.root.offset + this.root.length));
    // Nodes still open end where the error is; cutAt trims them with the rest.
    for (const n of this.stack.slice(1)) n.length = Math.max(0, at - n.offset);
    cutAt(this.root, at);
    this.stack.length = 1;
    this.failed = true;
    const err = node('error', at, this.root.offset + this.root.length - at, e.code);
    err.error = { code: e.code, message: e.message, offset: e.offset };
    this.root.children.push(err);
    return err;
  }
}

/** Drops what starts at or after `at` below `n` and ends there what runs over it. */
function cutAt(n: DissectNode, at: number): void {
  n.children = n.children.filter((c) => c.source !== undefined || c.offset < at);
  for (const c of n.children) {
    if (c.source !== undefined) continue;
    if (c.offset + c.length > at) c.length = at - c.offset;
    cutAt(c, at);
  }
}

/**
 * Puts each warning on the deepest node that holds its octet (in the same octets: nodes below a
 * `source` are skipped); one at the very end goes on the root.
 */
export function placeWarnings(root: DissectNode, warnings: readonly DecodeWarning[] | undefined): void {
  if (!warnings) return;
  for (const w of warnings) (deepestAt(root, w.offset) ?? root).warnings.push(w);
}

function deepestAt(n: DissectNode, at: number): DissectNode | undefined {
  if (at < n.offset || at >= n.offset + n.length) return undefined;
  for (const c of n.children) {
    if (c.source !== undefined) continue;
    const d = deepestAt(c, at);
    if (d) return d;
  }
  return n;
}

/** Runs `read`, which adds to `b`; a DecodeError ends the tree there instead of propagating. */
export function untilError(b: TreeBuilder, read: () => void): void {
  try {
    read();
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    b.fail(e);
  }
}

/** Every node's octets as hex, for JSON: `source` octets become a hex string. */
export function treeJson(n: DissectNode): unknown {
  const out: Record<string, unknown> = { name: n.name };
  if (n.value !== undefined) out.value = n.value;
  out.offset = n.offset;
  out.length = n.length;
  if (n.source) out.source = { name: n.source.name, octets: toHex(n.source.octets) };
  if (n.error) out.error = n.error;
  if (n.warnings.length) out.warnings = n.warnings;
  out.children = n.children.map(treeJson);
  return out;
}
