import { defineConfig } from 'vite';

// A static page: relative asset paths so dist/ can be served from any folder.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Keep the .wasm a file of its own (fetched and compiled while streaming).
    assetsInlineLimit: 0,
  },
});
