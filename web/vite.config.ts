import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w web` serves the client with hot reload and forwards the API and the
// socket to a running platform (make platform-up): CHAT_URL, default http://127.0.0.1:18080.
const target = process.env.CHAT_URL ?? "http://127.0.0.1:18080";

export default defineConfig({
  plugins: [react()],
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
