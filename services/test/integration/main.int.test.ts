// The entry point as operators run it: configured by env only, ready on /readyz,
// SIGTERM → graceful drain → exit 0; a bad configuration exits 2 naming the variable.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../helpers/client.js";
import { createTestDatabases, type TestDatabases } from "../helpers/infra.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
let dbs: TestDatabases;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await dbs?.drop();
});

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "services/src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, exited, output: () => out };
}

describe("main entry point", () => {
  it("starts from CHAT_* env, serves, and stops gracefully on SIGTERM", async () => {
    const port = await freePort();
    const p = run({
      CHAT_MYSQL_CATALOG_URL: dbs.catalogUrl,
      CHAT_MYSQL_SHARD_URLS: dbs.shardUrls.join(","),
      CHAT_REDIS_URL: dbs.redisUrl,
      CHAT_REDIS_PREFIX: dbs.redisPrefix,
      CHAT_JWT_SECRET: "entry-point-test-secret-0123456789abcdef",
      CHAT_ADMIN_TOKEN: "entry-point-admin-token",
      CHAT_HOST: "127.0.0.1",
      CHAT_PORT: String(port),
    });
    let ready = false;
    for (let i = 0; i < 100 && !ready; i++) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (!ready) await sleep(200);
    }
    expect(ready, p.output()).toBe(true);
    const shards = await fetch(`http://127.0.0.1:${port}/admin/shards`, {
      headers: { authorization: "Bearer entry-point-admin-token" },
    });
    expect(shards.status).toBe(200);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    expect(p.output()).not.toContain("entry-point-test-secret");
  });

  it("refuses a bad configuration with exit code 2 and names the variable, not the secret", async () => {
    const p = run({
      CHAT_MYSQL_CATALOG_URL: "not-a-url",
      CHAT_MYSQL_SHARD_URLS: dbs.shardUrls.join(","),
      CHAT_REDIS_URL: dbs.redisUrl,
      CHAT_JWT_SECRET: "tooshort-secret",
      CHAT_ADMIN_TOKEN: "x",
    });
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain("CHAT_MYSQL_CATALOG_URL");
    expect(p.output()).toContain("CHAT_JWT_SECRET");
    expect(p.output()).not.toContain("tooshort-secret");
  });
});
