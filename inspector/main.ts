// The inspector page: paste or drop a push, see its tree beside its octets. Everything runs here,
// in the page: the codec and the dissector are bundled into it (docs/inspector.md).
import { decodeBody } from '../src/codec/body.js';
import { pushToJson, type PushJson } from '../src/codec/json.js';
import { parseContentType } from '../src/codec/wsp/contentType.js';
import { decodePushPdu } from '../src/codec/wsp/pushPdu.js';
import { dissect, type DissectInput, type DissectNode } from '../src/dissect/index.js';
import { guessInput, hexLines, hexToOctets } from './input.js';
import { SAMPLES } from './samples.js';
import { summarize } from './summary.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const text = $<HTMLTextAreaElement>('hex');
const kind = $<HTMLSelectElement>('input');
const contentType = $<HTMLInputElement>('content-type');

/** Every node shown, by its index; each with the octets (source) its offsets are into. */
interface Shown {
  node: DissectNode;
  source: number;
  parent: number;
  element: HTMLElement;
}
let shown: Shown[] = [];

function el(tag: string, cls?: string, content?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined) e.textContent = content;
  return e;
}

function run(): void {
  const lines = hexLines(text.value);
  $('summary').replaceChildren();
  $('tree').replaceChildren();
  $('octets').replaceChildren();
  shown = [];
  if (!lines.length) return;
  let parts: Uint8Array[];
  try {
    parts = lines.map(hexToOctets);
  } catch (e) {
    $('summary').append(el('p', 'error', (e as Error).message));
    return;
  }
  const input = (kind.value === 'auto' ? guessInput(parts) : kind.value) as DissectInput;
  $('guessed').textContent = kind.value === 'auto' ? `read as ${input}` : '';
  const ct = contentType.value.trim();
  const params = new URLSearchParams({ input, hex: lines.join(',') });
  if (input === 'wbxml' && ct) params.set('ct', ct);
  history.replaceState(null, '', `#${params}`);
  if (input === 'wbxml' && !ct) {
    $('summary').append(el('p', 'error', 'a bare body needs its content type'));
    return;
  }
  let tree: DissectNode;
  try {
    tree = dissect(input === 'wsp' || input === 'wbxml' ? parts[0] : parts, { input, contentType: ct || undefined });
  } catch (e) {
    $('summary').append(el('p', 'error', (e as Error).message));
    return;
  }
  showSummary(tree, input, parts, ct);
  const sources: Uint8Array[] = [concat(parts)];
  const names = ['input'];
  showTree(tree, sources, names);
  sources.forEach((octets, i) => showOctets(octets, i, names[i]));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function showSummary(tree: DissectNode, input: DissectInput, parts: Uint8Array[], ct: string): void {
  const box = $('summary');
  const error = findError(tree);
  if (error?.error) {
    box.append(
      el('p', 'error', `Does not decode: ${error.error.code} at octet ${error.error.offset}: ${error.error.message}`),
    );
    return;
  }
  if (input === 'wbxml') {
    const c = parseContentType(ct);
    const body = decodeBody(c.type, c.params, parts[0]);
    box.append(el('h2', undefined, `${c.type} body`), el('pre', undefined, JSON.stringify(body, null, 2)));
    return;
  }
  const datagram = findNode(
    tree,
    (n) => n.name === 'reassembled WDP datagram' || n.name === 'WDP datagram' || n.name === 'WSP push PDU',
  );
  const pdu = datagram?.source
    ? datagram.source.octets
    : concat(parts).subarray(datagram!.offset, datagram!.offset + datagram!.length);
  const json: PushJson = pushToJson(decodePushPdu(pdu));
  const s = summarize(json);
  box.append(el('h2', undefined, s.title));
  const phone = el('div', 'phone');
  for (const l of s.lines) phone.append(el('p', undefined, l));
  box.append(phone);
  const warnings = json.warnings ?? [];
  if (warnings.length)
    box.append(
      el(
        'p',
        'warning',
        `${warnings.length} warning(s): ${warnings.map((w) => w.code).join(', ')} (marked in the tree and the octets)`,
      ),
    );
}

function findNode(n: DissectNode, test: (n: DissectNode) => boolean): DissectNode | undefined {
  if (test(n)) return n;
  for (const c of n.children) {
    const f = findNode(c, test);
    if (f) return f;
  }
  return undefined;
}

const findError = (tree: DissectNode) => findNode(tree, (n) => n.error !== undefined);

function showTree(root: DissectNode, sources: Uint8Array[], names: string[]): void {
  const add = (n: DissectNode, source: number, parent: number, into: HTMLElement) => {
    if (n.source) {
      sources.push(n.source.octets);
      names.push(n.source.name);
      source = sources.length - 1;
    }
    const index = shown.length;
    const li = el('li');
    const row = el('div', 'node');
    row.dataset.index = String(index);
    row.append(el('span', 'range', `${n.offset}+${n.length}`), el('span', 'name', n.name));
    if (n.value !== undefined)
      row.append(el('span', 'value', typeof n.value === 'string' ? JSON.stringify(n.value) : String(n.value)));
    if (n.warnings.length) row.classList.add('has-warning');
    if (n.error) row.classList.add('has-error');
    li.append(row);
    for (const w of n.warnings) li.append(el('div', 'warning', `${w.code} at ${w.offset}: ${w.message}`));
    if (n.error) li.append(el('div', 'error', `${n.error.code} at ${n.error.offset}: ${n.error.message}`));
    shown.push({ node: n, source, parent, element: row });
    if (n.children.length) {
      const ul = el('ul');
      for (const c of n.children) add(c, source, index, ul);
      li.append(ul);
    }
    into.append(li);
  };
  const ul = el('ul');
  add(root, 0, -1, ul);
  $('tree').append(ul);
}

function showOctets(octets: Uint8Array, source: number, name: string): void {
  const box = el('div', 'octets');
  box.dataset.source = String(source);
  box.append(el('h3', undefined, `${name} (${octets.length} octets)`));
  const grid = el('div', 'grid');
  for (let i = 0; i < octets.length; i++) {
    if (i % 16 === 0) grid.append(el('span', 'address', i.toString(16).padStart(4, '0')));
    const b = el('span', 'octet', octets[i].toString(16).padStart(2, '0'));
    b.dataset.offset = String(i);
    grid.append(b);
  }
  box.append(grid);
  $('octets').append(box);
  // Warnings and errors marked on their octets (an error past the last octet on the last one).
  for (const s of shown) {
    if (s.source !== source) continue;
    const { node } = s;
    if (node.error) {
      // The octet where decoding stopped, and what was not read after it.
      mark(source, node.offset, 1, 'error', octets.length);
      mark(source, node.offset + 1, node.length - 1, 'unread', octets.length);
    } else for (const w of node.warnings) mark(source, w.offset, 1, 'warning', octets.length);
  }
}

function octetsOf(source: number): HTMLElement[] {
  return [...document.querySelectorAll<HTMLElement>(`.octets[data-source="${source}"] .octet`)];
}

function mark(source: number, offset: number, length: number, cls: string, total: number): void {
  const all = octetsOf(source);
  if (length <= 0 && cls !== 'error') return;
  const start = Math.min(offset, total - 1);
  for (let i = start; i < Math.min(total, start + length); i++) all[i]?.classList.add(cls);
}

function select(index: number): void {
  document.querySelectorAll('.selected').forEach((e) => e.classList.remove('selected'));
  const s = shown[index];
  if (!s) return;
  s.element.classList.add('selected');
  s.element.scrollIntoView({ block: 'nearest' });
  const all = octetsOf(s.source);
  for (let i = s.node.offset; i < s.node.offset + s.node.length; i++) all[i]?.classList.add('selected');
  all[s.node.offset]?.scrollIntoView({ block: 'nearest' });
  $('selection').textContent = `${s.node.name}: octets ${s.node.offset} to ${s.node.offset + s.node.length - 1}`;
}

/** The deepest node in `source` that holds octet `offset`. */
function nodeAt(source: number, offset: number): number {
  let best = -1;
  for (const [i, s] of shown.entries())
    if (s.source === source && s.node.length > 0 && offset >= s.node.offset && offset < s.node.offset + s.node.length)
      best = i;
  return best;
}

$('tree').addEventListener('click', (e) => {
  const row = (e.target as HTMLElement).closest<HTMLElement>('.node');
  if (row) select(Number(row.dataset.index));
});
$('octets').addEventListener('click', (e) => {
  const b = (e.target as HTMLElement).closest<HTMLElement>('.octet');
  const box = b?.closest<HTMLElement>('.octets');
  if (b && box) select(nodeAt(Number(box.dataset.source), Number(b.dataset.offset)));
});
$('decode').addEventListener('click', run);
kind.addEventListener('change', run);
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (!file) return;
  void file.arrayBuffer().then((buf) => {
    const b = new Uint8Array(buf);
    const asText = new TextDecoder().decode(b);
    // A file of hex lines is read as typed; anything else is the octets of one PDU.
    text.value = /^[\s0-9a-fA-F:#-]*$/.test(asText)
      ? asText
      : [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    run();
  });
});

const samples = $('samples');
for (const s of SAMPLES) {
  const button = el('button', 'sample', s.name);
  button.title = s.source;
  button.addEventListener('click', () => {
    kind.value = s.input;
    contentType.value = s.contentType ?? '';
    text.value = s.lines.join('\n');
    run();
  });
  samples.append(button);
}

function fromFragment(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const hex = params.get('hex');
  if (!hex) return;
  kind.value = params.get('input') ?? 'auto';
  contentType.value = params.get('ct') ?? '';
  text.value = hex.split(',').join('\n');
  run();
}
// A link edited by hand, or another one opened in this tab.
window.addEventListener('hashchange', fromFragment);
fromFragment();
