// Paths into the repository for the bench's modules, which run from two places: bench/ itself
// (vitest imports them as TypeScript) and their compiled copy in bench/.build/bench/ (`npm run
// bench`). The root is the nearest folder up that holds a package.json; bench/.build has none.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: no package.json above the bench modules');
    dir = up;
  }
  return dir;
}

/** The repository root. */
export const ROOT = findRoot();

/** A path inside the repository, e.g. repoPath('bench', 'results'). */
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);
