/**
 * The address_range of a bind (SMPP v3.4 5.2.7): "UNIX Regular Expression notation" naming the
 * SME addresses an ESME serves. It comes from the peer, so it is never handed to a
 * backtracking engine (a JavaScript RegExp for `(\d+)+y` took seconds on a 27-digit address):
 * it is parsed into a small subset of POSIX extended regular expressions, compiled to a
 * Thompson NFA and run by simulating every state at once, which costs at most
 * (address length + 1) x 2 x program size steps whatever the pattern.
 *
 * Grammar (docs/simulator.md has it with examples):
 *   alternation := branch ('|' branch)*
 *   branch      := piece+
 *   piece       := atom ('*' | '+' | '?' | '{m}' | '{m,}' | '{m,n}')*
 *   atom        := literal | '.' | '[' class ']' | '(' alternation ')' | '^' | '$' | '\' escaped
 * A pattern matches an address when it matches some part of it (UNIX semantics: `^1234` is
 * "beginning with 1234", `5678$` "ending with 5678"; a whole address is `^...$`).
 */

/** The address_range field is a C-Octet String of at most 41 octets with its NUL (SMPP v3.4 4.1.1). */
export const MAX_ADDRESS_RANGE_LENGTH = 40;
/** Largest compiled program; only `{m,n}` can grow a 40-character pattern past it. */
export const MAX_PROGRAM_SIZE = 256;
/** Largest m or n in `{m,n}`. */
export const MAX_REPEAT = 100;

export type AddressRangeErrorCode =
  | 'TOO_LONG' // over MAX_ADDRESS_RANGE_LENGTH characters
  | 'TOO_LARGE' // the compiled program would exceed MAX_PROGRAM_SIZE, or a count over MAX_REPEAT
  | 'SYNTAX' // not a well-formed expression: unbalanced ( ) or [ ], a quantifier with nothing before it
  | 'UNSUPPORTED'; // regular-expression syntax outside the grammar (back-references, \w, (?...), non-ASCII)

export class AddressRangeError extends Error {
  override readonly name = 'AddressRangeError';
  constructor(
    readonly code: AddressRangeErrorCode,
    /** Index of the character in the pattern where parsing stopped. */
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { code: AddressRangeErrorCode; message: string; offset: number } {
    return { code: this.code, message: this.message, offset: this.offset };
  }
}

/** Membership over ASCII; index 128 stands for every character above ASCII (only `.` and `[^...]` take them). */
type CharSet = Uint8Array;

type Node =
  | { t: 'set'; set: CharSet }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

const OTHER = 128;
const METACHARS = '.[]()*+?{}|^$\\';

function charSet(): CharSet {
  return new Uint8Array(OTHER + 1);
}

function single(code: number): CharSet {
  const s = charSet();
  s[code] = 1;
  return s;
}

function digits(): CharSet {
  const s = charSet();
  s.fill(1, 0x30, 0x3a);
  return s;
}

const printable = (code: number): boolean => code >= 0x20 && code <= 0x7e;

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw this.error('SYNTAX', `unbalanced ')'`);
    return node;
  }

  private error(code: AddressRangeErrorCode, message: string, at = this.i): AddressRangeError {
    return new AddressRangeError(code, at, `address_range ${JSON.stringify(this.src)}: ${message} at ${at}`);
  }

  private alternation(): Node {
    const items = [this.branch()];
    while (this.src[this.i] === '|') {
      this.i++;
      items.push(this.branch());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private branch(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') items.push(this.piece());
    // POSIX leaves an empty branch undefined; refusing it keeps `a||b` and `()` from meaning something by accident.
    if (!items.length) throw this.error('SYNTAX', 'empty expression');
    return items.length === 1 ? items[0] : { t: 'cat', items };
  }

  private piece(): Node {
    let node = this.atom();
    for (;;) {
      const c = this.src[this.i];
      if (c === '*') node = { t: 'rep', node, min: 0, max: Infinity };
      else if (c === '+') node = { t: 'rep', node, min: 1, max: Infinity };
      else if (c === '?') node = { t: 'rep', node, min: 0, max: 1 };
      else if (c === '{') {
        node = this.braces(node);
        continue;
      } else return node;
      this.i++;
    }
  }

  private braces(node: Node): Node {
    const start = this.i;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (!m) throw this.error('SYNTAX', `'{' is not {m}, {m,} or {m,n}`);
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT))
      throw this.error('TOO_LARGE', `repeat count over ${MAX_REPEAT}`, start);
    if (max < min) throw this.error('SYNTAX', `{${min},${max}} counts down`, start);
    this.i += m[0].length;
    return { t: 'rep', node, min, max };
  }

  private atom(): Node {
    const at = this.i;
    const c = this.src[this.i++];
    switch (c) {
      case '.': {
        const s = charSet();
        s.fill(1);
        return { t: 'set', set: s };
      }
      case '^':
        return { t: 'bol' };
      case '$':
        return { t: 'eol' };
      case '[':
        return { t: 'set', set: this.bracket() };
      case '(': {
        if (this.src[this.i] === '?') throw this.error('UNSUPPORTED', `'(?' groups are not UNIX regular expressions`);
        const node = this.alternation();
        if (this.src[this.i] !== ')') throw this.error('SYNTAX', `'(' at ${at} is not closed`);
        this.i++;
        return node;
      }
      case '\\':
        return { t: 'set', set: this.escape() };
      case '*':
      case '+':
      case '?':
      case '{':
        throw this.error('SYNTAX', `'${c}' has nothing to repeat`, at);
      case '}':
      case ']':
        throw this.error('SYNTAX', `unmatched '${c}'`, at);
    }
    const code = c.charCodeAt(0);
    if (!printable(code)) throw this.error('UNSUPPORTED', `character U+${code.toString(16).padStart(4, '0')}`, at);
    return { t: 'set', set: single(code) };
  }

  private escape(): CharSet {
    const c = this.src[this.i];
    if (c === undefined) throw this.error('SYNTAX', `'\\' at the end`);
    this.i++;
    if (c === 'd') return digits(); // not POSIX, but what ESMEs written against Perl-style engines send
    if (METACHARS.includes(c)) return single(c.charCodeAt(0));
    throw this.error('UNSUPPORTED', `escape '\\${c}'`, this.i - 2);
  }

  /** After '['. POSIX bracket rules: a leading '^' negates, a leading ']' is literal, '-' first or last is literal. */
  private bracket(): CharSet {
    const open = this.i - 1;
    const set = charSet();
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    let first = true;
    for (;;) {
      const at = this.i;
      const c = this.src[this.i];
      if (c === undefined) throw this.error('SYNTAX', `'[' at ${open} is not closed`, open);
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && this.src.startsWith('[:digit:]', this.i)) {
        set.fill(1, 0x30, 0x3a);
        this.i += '[:digit:]'.length;
        continue;
      }
      if (c === '[' && /^\[[:=.]/.test(this.src.slice(this.i)))
        throw this.error('UNSUPPORTED', 'bracket classes other than [:digit:]');
      // POSIX reads a backslash in brackets as itself, Perl-style engines as an escape: refuse the ambiguity.
      if (c === '\\') throw this.error('UNSUPPORTED', `'\\' inside brackets`);
      const lo = c.charCodeAt(0);
      if (!printable(lo)) throw this.error('UNSUPPORTED', `character U+${lo.toString(16).padStart(4, '0')}`);
      this.i++;
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== ']') {
        const hiChar = this.src[this.i + 1];
        const hi = hiChar.charCodeAt(0);
        if (hiChar === '\\') throw this.error('UNSUPPORTED', `'\\' inside brackets`, this.i + 1);
        if (!printable(hi)) throw this.error('UNSUPPORTED', `character U+${hi.toString(16).padStart(4, '0')}`);
        if (hi < lo) throw this.error('SYNTAX', `range ${c}-${hiChar} runs backwards`, at);
        set.fill(1, lo, hi + 1);
        this.i += 2;
      } else set[lo] = 1;
    }
    if (negate) for (let k = 0; k <= OTHER; k++) set[k] ^= 1;
    return set;
  }
}

const Op = Object.freeze({ CHAR: 0, SPLIT: 1, JMP: 2, BOL: 3, EOL: 4, MATCH: 5 } as const);
type Op = (typeof Op)[keyof typeof Op];

/** The number of instructions `node` compiles to (checked before emitting, so a large `{m,n}` is never built). */
function size(node: Node): number {
  switch (node.t) {
    case 'set':
    case 'bol':
    case 'eol':
      return 1;
    case 'cat':
      return node.items.reduce((n, x) => n + size(x), 0);
    case 'alt':
      return node.items.reduce((n, x) => n + size(x) + 2, -2);
    case 'rep': {
      const one = size(node.node);
      if (node.max === Infinity) return node.min === 0 ? one + 2 : node.min * one + 1;
      return node.min * one + (node.max - node.min) * (one + 1);
    }
  }
}

class Program {
  op: Op[] = [];
  x: number[] = [];
  y: number[] = [];
  set: (CharSet | undefined)[] = [];

  emit(op: Op, x = 0, y = 0, set?: CharSet): number {
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    this.set.push(set);
    return this.op.length - 1;
  }

  compile(node: Node): void {
    switch (node.t) {
      case 'set':
        this.emit(Op.CHAR, 0, 0, node.set);
        return;
      case 'bol':
        this.emit(Op.BOL);
        return;
      case 'eol':
        this.emit(Op.EOL);
        return;
      case 'cat':
        for (const item of node.items) this.compile(item);
        return;
      case 'alt': {
        // split L1, next; L1: a; jmp end; next: split L2, ... ; last: z; end:
        const jumps: number[] = [];
        for (let k = 0; k < node.items.length - 1; k++) {
          const split = this.emit(Op.SPLIT);
          this.x[split] = split + 1;
          this.compile(node.items[k]);
          jumps.push(this.emit(Op.JMP));
          this.y[split] = this.op.length;
        }
        this.compile(node.items[node.items.length - 1]);
        for (const j of jumps) this.x[j] = this.op.length;
        return;
      }
      case 'rep': {
        if (node.max === Infinity && node.min > 0) {
          // m-1 copies, then L: body; split L, end; end:  (the last copy is the loop)
          for (let k = 1; k < node.min; k++) this.compile(node.node);
          const loop = this.op.length;
          this.compile(node.node);
          const split = this.emit(Op.SPLIT, loop);
          this.y[split] = split + 1;
          return;
        }
        for (let k = 0; k < node.min; k++) this.compile(node.node);
        if (node.max === Infinity) {
          // L: split body, end; body; jmp L; end:
          const split = this.emit(Op.SPLIT);
          this.x[split] = split + 1;
          this.compile(node.node);
          this.emit(Op.JMP, split);
          this.y[split] = this.op.length;
          return;
        }
        // each optional copy: split body, end_of_all; body
        const splits: number[] = [];
        for (let k = node.min; k < node.max; k++) {
          const split = this.emit(Op.SPLIT);
          this.x[split] = split + 1;
          splits.push(split);
          this.compile(node.node);
        }
        for (const s of splits) this.y[s] = this.op.length;
      }
    }
  }
}

/** A compiled address_range. */
export class AddressRange {
  /** NFA states visited by every `matches` so far: the work done, bounded per call by `maxSteps`. */
  steps = 0;
  private readonly op: Op[];
  private readonly x: number[];
  private readonly y: number[];
  private readonly set: (CharSet | undefined)[];
  /** The program starts with `^`: no thread can start after position 0. */
  private readonly anchored: boolean;
  private readonly mark: Uint32Array;
  private readonly stack: Int32Array;
  private readonly current: Int32Array;
  private readonly next: Int32Array;
  private generation = 0;

  private constructor(
    readonly source: string,
    program: Program,
  ) {
    this.op = program.op;
    this.x = program.x;
    this.y = program.y;
    this.set = program.set;
    this.anchored = this.op[0] === Op.BOL;
    const n = this.op.length;
    this.mark = new Uint32Array(n);
    this.stack = new Int32Array(n * 2 + 2);
    this.current = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  /** Parses and compiles; a pattern outside the grammar or its limits throws AddressRangeError. */
  static compile(pattern: string): AddressRange {
    if (pattern.length > MAX_ADDRESS_RANGE_LENGTH)
      throw new AddressRangeError(
        'TOO_LONG',
        MAX_ADDRESS_RANGE_LENGTH,
        `address_range of ${pattern.length} characters: at most ${MAX_ADDRESS_RANGE_LENGTH} (a 41-octet C-Octet String)`,
      );
    const ast = new Parser(pattern).parse();
    const n = size(ast) + 1;
    if (n > MAX_PROGRAM_SIZE)
      throw new AddressRangeError(
        'TOO_LARGE',
        0,
        `address_range ${JSON.stringify(pattern)} compiles to ${n} states, over ${MAX_PROGRAM_SIZE}`,
      );
    const program = new Program();
    program.compile(ast);
    program.emit(Op.MATCH);
    return new AddressRange(pattern, program);
  }

  /** Program size: the NFA's number of states. */
  get states(): number {
    return this.op.length;
  }

  /** The most steps one `matches(address)` can take. */
  maxSteps(address: string): number {
    return (address.length + 1) * 2 * this.op.length;
  }

  /** Whether the pattern matches some part of `address`. */
  matches(address: string): boolean {
    const len = address.length;
    let cur = this.current;
    let nxt = this.next;
    let count = 0;
    this.bump();
    for (let pos = 0; ; pos++) {
      // `cur` holds the threads standing before address[pos], marked with this generation. A new
      // thread starts at every position: a UNIX regular expression searches, it is not anchored.
      count = this.add(cur, count, 0, pos, len);
      if (count < 0) return true;
      if (pos === len || (count === 0 && this.anchored)) return false;
      const c = address.charCodeAt(pos);
      const k = c < OTHER ? c : OTHER;
      this.bump();
      let n = 0;
      for (let t = 0; t < count; t++) {
        const pc = cur[t];
        this.steps++;
        if (this.set[pc]![k]) {
          n = this.add(nxt, n, pc + 1, pos + 1, len);
          if (n < 0) return true;
        }
      }
      [cur, nxt] = [nxt, cur];
      count = n;
    }
  }

  /** A new generation: every state unmarked again (the marks are cleared only when the counter wraps). */
  private bump(): void {
    if (++this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 1;
    }
  }

  /**
   * Adds the thread at `pc` and everything it reaches without reading a character to `list`
   * (from index `n`), each state once per generation; returns the new length, or -1 on MATCH.
   */
  private add(list: Int32Array, n: number, pc: number, pos: number, len: number): number {
    const stack = this.stack;
    const mark = this.mark;
    const gen = this.generation;
    let sp = 0;
    stack[sp++] = pc;
    while (sp > 0) {
      const s = stack[--sp];
      if (mark[s] === gen) continue;
      mark[s] = gen;
      this.steps++;
      switch (this.op[s]) {
        case Op.CHAR:
          list[n++] = s;
          break;
        case Op.MATCH:
          return -1;
        case Op.JMP:
          stack[sp++] = this.x[s];
          break;
        case Op.SPLIT:
          stack[sp++] = this.y[s];
          stack[sp++] = this.x[s];
          break;
        case Op.BOL:
          if (pos === 0) stack[sp++] = s + 1;
          break;
        case Op.EOL:
          if (pos === len) stack[sp++] = s + 1;
          break;
      }
    }
    return n;
  }
}
