// Vite: the client is served by the Council app under /app/ (base), built to web/dist.
// `npm run dev` proxies the API to a `council serve` at COUNCIL_DEV_API
// (default http://127.0.0.1:8000); start that server with
// COUNCIL_TOKEN_ISSUER=http://127.0.0.1:5173 so the redirect URI and the
// tokens name the dev server's origin.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const api = process.env.COUNCIL_DEV_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
    proxy: {
      "/graphql": { target: api, ws: true, changeOrigin: false },
      "/oauth": { target: api, changeOrigin: false },
      "/uploads": { target: api, changeOrigin: false },
      "/.well-known": { target: api, changeOrigin: false },
      "/app/config.json": { target: api, changeOrigin: false },
    },
  },
});
