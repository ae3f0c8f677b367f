import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The UI lives in web/ and is built into dist/web, where the server serves it (TRUSTLOOP_WEB_DIR).
 * In development (`npm run dev:web`) API calls go to a local `trustloop serve` on its default port,
 * so the session cookies stay same-origin as they are in production.
 */
export default defineConfig({
  root: path.join(here, 'web'),
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist/web'),
    emptyOutDir: true,
    // Inlined assets would become data: URIs, which the CSP allows only for images.
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: in chunks of their own they stay cached across releases.
        manualChunks: {
          react: [
            'react',
            'react-dom',
            'react-dom/client',
            'react-router-dom',
            '@tanstack/react-query',
            'openapi-fetch',
          ],
          mantine: ['@mantine/core', '@mantine/hooks'],
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
