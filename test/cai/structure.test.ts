// The shape of src/cai a newcomer relies on (issue 16): no import cycles between its files, and
// PushClient's events typed, so a misspelled event name or a listener of the wrong shape does not compile.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PushClient } from '../../src/cai/client.js';
import type { UnroutedPush } from '../../src/cai/events.js';
import { closeLater, datagram, siPush } from './helpers.js';

const dir = new URL('../../src/cai/', import.meta.url);

/** Each src/cai file's imports of other src/cai files, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s+'\.\/([\w.-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk, each as the path that closes it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('src/cai structure', () => {
  it('has no import cycles, type-only imports included', () => {
    const graph = importGraph();
    expect(graph.get('client.ts')).toContain('registrar.ts');
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it("types PushClient's events: listeners get the event's arguments, unknown names do not compile", () => {
    const client = closeLater(new PushClient({ otaHttp: false }));
    const seen: UnroutedPush[] = [];
    client.on('unrouted', (u) => {
      // The listener's argument is typed: `u.reason` is an UnroutedReason, not any.
      const reason: UnroutedPush['reason'] = u.reason;
      seen.push({ ...u, reason });
    });
    const typosRejected = () => {
      // @ts-expect-error 'unroutd' is not an event of PushClient
      client.on('unroutd', () => {});
      // @ts-expect-error a 'refused' listener gets one object, not two strings
      client.on('refused', (a: string, b: string) => void [a, b]);
      // @ts-expect-error emit checks the arguments too
      client.emit('store-error');
    };
    void typosRejected;
    client.deliverDatagram(datagram(siPush()));
    expect(seen.map((u) => u.reason)).toEqual(['no-registration']);
  });
});
