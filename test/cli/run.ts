import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs the built command as users do (npm test builds dist/ first).
export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8' });
