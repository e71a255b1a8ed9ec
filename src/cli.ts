#!/usr/bin/env node
/** The `wappush` command (the package bin, `node dist/cli.js`); the commands are in src/cli/. */
import './nodeHost.js';
import { main } from './cli/main.js';

main(process.argv.slice(2));
