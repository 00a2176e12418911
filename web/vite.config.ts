// The meeting room's Vite config. `npm start` builds it (stack/web/build.ts) and serves the build with a
// /config.json; `npm run dev` serves the sources with hot reload and answers /config.json itself, from the same
// stack config a running `npm start` uses (STACK_API_PORT and friends apply to both).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { apiUrl, demoKeys, loadConfig, projectRoot } from '../stack/config.ts';
import type { PageConfig } from '../stack/web/server.ts';

const root = dirname(fileURLToPath(import.meta.url));

/** The dev server's /config.json: the API of the running `npm start`. */
function pageConfig(): Plugin {
  return {
    name: 'meeting-room-config',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        const config: PageConfig = { apiUrl: apiUrl(loadConfig()), anonKey: demoKeys.anonKey };
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify(config));
      });
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), pageConfig()],
  // The client (client/src) and the contract (types/) live beside web/, in the same checkout.
  server: { host: '127.0.0.1', port: 5173, fs: { allow: [projectRoot] } },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 1024 },
});
