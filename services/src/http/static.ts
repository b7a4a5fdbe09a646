// Serves the web client (web/, built by `npm run build -w web`) at /: hashed assets cached
// for a year (gzip-compressed when the build left a .gz copy), index.html revalidated on every load, client-side routes answered with
// index.html (SPA fallback), and a Content-Security-Policy that allows only what the app
// uses: its own scripts, styles and images, and its own origin for the API and socket.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";

/** The checkout's web/dist, found from this file in src/http or dist/http. */
const DEFAULT_DIR = fileURLToPath(new URL("../../../web/dist", import.meta.url));

export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'", // CSP3: 'self' covers ws:/wss: to this origin (socket.io)
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Paths the server itself owns: never answered with the client's index.html. */
const SERVER_PATHS = /^\/(v1|admin|socket\.io)(\/|$)|^\/(healthz|readyz|metrics|openapi\.json)$/;

function securityHeaders(res: Response): void {
  res.setHeader("Content-Security-Policy", WEB_CSP);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
}

/**
 * The web client's handler (dir: CHAT_WEB_DIR, or the checkout's web/dist when empty); it
 * passes every request on while the folder has no index.html. Mount it after the API routes.
 */
export function webClient(dir: string): RequestHandler {
  const root = path.resolve(dir || DEFAULT_DIR);
  const index = path.join(root, "index.html");
  // A client built after the server started is picked up on the next request.
  let built = existsSync(index);
  const IMMUTABLE = "public, max-age=31536000, immutable";
  const files = express.static(root, {
    index: false,
    redirect: false,
    etag: true,
    lastModified: true,
    setHeaders: (res, file) => {
      securityHeaders(res);
      // Vite names everything under assets/ by content hash: it never changes.
      const immutable = path.relative(root, file).startsWith(`assets${path.sep}`);
      res.setHeader("Cache-Control", immutable ? IMMUTABLE : "no-cache");
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || SERVER_PATHS.test(req.path)) return next();
    built ||= existsSync(index);
    if (!built) return next();
    if (req.path.startsWith("/assets/")) {
      res.setHeader("Vary", "Accept-Encoding");
      // The build writes a gzip copy next to each script and stylesheet (web/vite.config.ts).
      const file = path.join(root, path.normalize(decodeURIComponent(req.path)));
      if (file.startsWith(root + path.sep) && req.acceptsEncodings("gzip") && existsSync(`${file}.gz`)) {
        securityHeaders(res);
        res.setHeader("Cache-Control", IMMUTABLE);
        res.setHeader("Content-Encoding", "gzip");
        res.type(path.extname(file));
        return res.sendFile(`${file}.gz`, { lastModified: true, etag: true }, (err) => err && next(err));
      }
    }
    files(req, res, () => {
      // SPA fallback: a page of the client (/rooms/12, /ops) gets index.html; a missing
      // asset or anything not asking for HTML falls through to the API's 404.
      if (req.path.startsWith("/assets/") || !req.accepts("html")) return next();
      securityHeaders(res);
      res.setHeader("Cache-Control", "no-cache");
      res.sendFile(index, { etag: true, lastModified: true }, (err) => err && next(err));
    });
  };
}
