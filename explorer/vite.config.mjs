import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Builds the explorer page into dist/explorer, which the server serves at /explorer (src/server/explorer.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/explorer/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/explorer', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles: the page's Content-Security-Policy allows only its own files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
