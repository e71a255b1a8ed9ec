import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Peers from Debian (Kannel, tshark, libwbxml's xml2wbxml): `npm run test:interop`.
    exclude: ['test/interop/**', '**/node_modules/**'],
    testTimeout: 60_000,
    setupFiles: ['test/setup/fastCheckSeed.ts'],
  },
});
