// Builds the web client into apps/web/dist, which `npm start`'s front door serves on the one
// origin. `npx nx serve web` runs Vite's dev server, proxying /auth, /api and /socket.io to
// CHAT_ORIGIN (default http://127.0.0.1:8080), so it is one origin for the browser there too.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const origin = process.env['CHAT_ORIGIN'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: { '@chat/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/auth': origin,
      '/api': origin,
      '/socket.io': { target: origin, ws: true },
    },
  },
});
