// The gateway's web client serving (services/src/http/static.ts) on the stub app: hashed
// assets immutable and gzip-compressed, index.html revalidated, client routes answered with
// index.html, the API's own paths and missing assets left to the API's 404, and the CSP.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, stubApp, stubConfig } from "../../../services/test/helpers/stub-http.js";

let dir: string;
let srv: Awaited<ReturnType<typeof listen>>;
const JS = "console.log('chat');".repeat(50);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "web-dist-"));
  await mkdir(path.join(dir, "assets"));
  await writeFile(path.join(dir, "index.html"), '<!doctype html><div id="root"></div>');
  await writeFile(path.join(dir, "assets", "index-abc123.js"), JS);
  await writeFile(path.join(dir, "assets", "index-abc123.js.gz"), gzipSync(JS));
  await writeFile(path.join(dir, "favicon.svg"), "<svg/>");
  const { app } = stubApp({ config: { ...stubConfig, webDir: dir } });
  srv = await listen(app);
});
afterAll(async () => {
  srv.server.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}) => fetch(`${srv.base}${p}`, { headers });

describe("web client serving", () => {
  it("serves index.html at / with no-cache and a strict CSP", async () => {
    const res = await get("/", { accept: "text/html" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers client routes with index.html (SPA fallback)", async () => {
    for (const p of ["/rooms/12", "/rooms/12?m=40", "/ops", "/login"]) {
      const res = await get(p, { accept: "text/html" });
      expect(res.status, p).toBe(200);
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it("serves hashed assets immutable, gzip-compressed when the client accepts it", async () => {
    const gz = await get("/assets/index-abc123.js", { "accept-encoding": "gzip" });
    expect(gz.status).toBe(200);
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("content-type")).toMatch(/javascript/);
    expect(gz.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await gz.text()).toBe(JS); // fetch decompresses
    const plain = await get("/assets/index-abc123.js", { "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(JS);
    const icon = await get("/favicon.svg");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("leaves the API's paths and missing assets to the API (problem+json 404)", async () => {
    for (const p of ["/v1/nope", "/admin/nope", "/assets/missing.js"]) {
      const res = await get(p, { accept: "text/html" });
      expect(res.status, p).toBe(404);
      expect(res.headers.get("content-type"), p).toMatch(/problem\+json/);
    }
    // An encoded traversal never reaches a file outside the client's folder.
    const evil = await get("/assets/..%2f..%2f..%2fetc%2fpasswd", { "accept-encoding": "gzip" });
    expect(evil.status).toBeGreaterThanOrEqual(400);
    expect(await evil.text()).not.toContain("root:");
    const health = await get("/healthz", { accept: "text/html" });
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("does not answer non-HTML requests for unknown paths with the page", async () => {
    const res = await get("/rooms/12", { accept: "application/json" });
    expect(res.status).toBe(404);
  });
});
