// EsmeLink's events are typed by name (EsmeLinkEvents): a misspelled name or a listener of the
// wrong shape is a compile error, caught by `npm run typecheck`, which covers this file.
import { describe, expect, it } from 'vitest';
import { EsmeLink, type EsmeLinkEvents } from '../../src/wdp/smpp/link.js';

/** Compiled, never run: each line must be a type error, or typecheck reports the directive unused. */
export function misspelled(link: EsmeLink): void {
  // @ts-expect-error: 'bind-fail' is not an EsmeLink event
  link.on('bind-fail', () => {});
  // @ts-expect-error: 'bound' listeners get no arguments
  link.on('bound', (x: string) => x);
  // @ts-expect-error: a 'bind-failed' listener gets { status }, not a string
  link.emit('bind-failed', 'refused');
}

describe('EsmeLink events are typed', () => {
  it('carries the declared arguments to listeners of the declared names', () => {
    const link = new EsmeLink({ smsc: 'smpp://a:b@127.0.0.1:1' });
    const statuses: number[] = [];
    link.on('bind-failed', ({ status }) => statuses.push(status));
    link.emit('bind-failed', { status: 0x0e });
    expect(statuses).toEqual([0x0e]);
    const names: (keyof EsmeLinkEvents)[] = ['bound', 'bind-failed', 'disconnected', 'handler-error'];
    expect(names.map((n) => link.listenerCount(n))).toEqual([0, 1, 0, 0]);
  });
});
