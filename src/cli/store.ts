/**
 * `wappush store inspect [--store SPEC] [--limit N]` (docs/state.md): what a store holds, as one
 * JSON object - pending messages with their segments and age, queued items per application,
 * registrations. An lmdb store is opened read-only, beside a running `listen`.
 */
import { parseArgs } from 'node:util';
import { openStore } from '../store/open.js';
import { nonNegativeInteger } from './args.js';
import type { Command } from './command.js';
import { stateSpec } from './listen.js';
import { fail, line } from './output.js';

const options = { store: { type: 'string' }, limit: { type: 'string' } } as const;

async function inspect(spec: string, limit: number | undefined): Promise<void> {
  const store = await openStore(spec, { readOnly: true });
  try {
    line(await store.inspect(limit));
  } finally {
    await store.close();
  }
}

export const store: Command = {
  name: 'store',
  usage: `  wappush store inspect [--store PATH | redis://HOST:PORT[/DB]] [--limit N]
                                                    print what a store holds pending and queued, as JSON
`,
  flags: `store:
  --store SPEC        the store listen keeps its state in (./wappush-state); else WAPPUSH_STORE
  --limit N           pending messages listed at most (1000); "truncated" says when there were more
`,
  options,
  run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true });
    if (positionals.length !== 1 || positionals[0] !== 'inspect')
      fail(new Error(`store takes one action, inspect, not ${positionals.join(' ') || 'none'}`), 2);
    const fromEnv = process.env.WAPPUSH_STORE?.trim();
    const { spec } = stateSpec(values.store ?? (fromEnv === '' ? undefined : fromEnv));
    inspect(spec, nonNegativeInteger(values.limit, '--limit')).catch(fail);
  },
};
