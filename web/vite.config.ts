import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The portal is built into dist/web by `npm ci` (scripts/build-web.mjs) and served by the
// gateway itself (src/portal/). Two pages: the portal and the GraphQL explorer, so GraphiQL's
// weight never lands on the portal's first load.
const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: '/',
  publicDir: resolve(here, 'public'),
  build: {
    outDir: resolve(here, '../dist/web'),
    emptyOutDir: true,
    // Everything as files: the CSP allows no data: scripts, and files cache by their hashed names.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      input: { portal: resolve(here, 'index.html'), explorer: resolve(here, 'explorer.html') },
      onwarn(warning, warn) {
        // GraphiQL's dependencies mark modules "use client" (a React Server Components hint): irrelevant here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        // React and what both pages share, under a name that says so.
        codeSplitting: { groups: [{ name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ }] },
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
