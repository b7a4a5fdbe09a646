import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/** Writes name.gz next to each script and stylesheet: the gateway serves those compressed. */
const precompress = (): Plugin => ({
  name: "chatcluster-precompress",
  apply: "build",
  generateBundle(_options, bundle) {
    for (const [name, out] of Object.entries(bundle)) {
      if (!/\.(js|css)$/.test(name)) continue;
      const source = out.type === "chunk" ? out.code : out.source;
      this.emitFile({ type: "asset", fileName: `${name}.gz`, source: gzipSync(source, { level: 9 }) });
    }
  },
});

// `npm run dev -w web` serves the client with hot reload and forwards the API and the
// socket to a running platform (make platform-up): CHAT_URL, default http://127.0.0.1:18080.
const target = process.env.CHAT_URL ?? "http://127.0.0.1:18080";

export default defineConfig({
  plugins: [react(), precompress()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, target: "es2022" },
  server: {
    proxy: {
      "/v1": target,
      "/admin": target,
      "/openapi.json": target,
      "/socket.io": { target, ws: true },
    },
  },
});
