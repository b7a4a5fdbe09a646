// The entry point as operators run it: configured by env only, ready on /readyz,
// SIGTERM → graceful drain → exit 0; a bad configuration exits 2 naming the variable.
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../helpers/client.js";
import { createTestDatabases, type TestDatabases } from "../helpers/infra.js";
import { type EntryPointProcess, freePort, spawnEntryPoint } from "../helpers/process.js";

let dbs: TestDatabases;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await dbs?.drop();
});

function run(env: Record<string, string>): EntryPointProcess {
  const p = spawnEntryPoint(env);
  children.push(p.child);
  return p;
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
