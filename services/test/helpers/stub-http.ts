// An HTTP app with stub services: enough to exercise routing, auth, validation and
// error rendering without databases. Any service call fails the test loudly.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TokenService } from "../../src/accounts/tokens.js";
import { loadConfig } from "../../src/config.js";
import { createHttpApp } from "../../src/http/app.js";
import type { HttpDeps } from "../../src/http/deps.js";
import { silentLogger } from "../../src/log.js";
import { createMetrics } from "../../src/metrics.js";

export const stubConfig = loadConfig({
  CHAT_MYSQL_CATALOG_URL: "mysql://u:p@127.0.0.1:1/chat",
  CHAT_MYSQL_SHARD_URLS: "mysql://u:p@127.0.0.1:1/chat",
  CHAT_REDIS_URL: "redis://127.0.0.1:1",
  CHAT_JWT_SECRET: "s".repeat(40),
  CHAT_ADMIN_TOKEN: "admin-token-0123456789",
  CHAT_BODY_LIMIT_BYTES: "4096",
});

export const calls: string[] = [];

/** A proxy whose every method records the call and resolves to a canned value. */
function stub(name: string, value: unknown = {}): never {
  return new Proxy(
    {},
    {
      get: (_t, prop) => async () => {
        calls.push(`${name}.${String(prop)}`);
        return value;
      },
    },
  ) as never;
}

export function stubApp(overrides: Partial<HttpDeps> = {}) {
  const tokens = new TokenService(stubConfig.auth.jwtSecret, 900);
  const limiter = {
    name: "x",
    limiter: { points: 10, consume: async () => ({}), get: async () => null, penalty: async () => ({}) },
  } as never;
  const deps: HttpDeps = {
    config: stubConfig,
    log: silentLogger(),
    metrics: createMetrics(),
    tokens,
    accounts: stub("accounts"),
    rooms: stub("rooms"),
    messages: stub("messages", { message: {}, duplicate: false }),
    readState: stub("readState"),
    directory: stub("directory", []),
    shards: stub("shards"),
    limiters: { loginIp: limiter, registerIp: limiter },
    loginGuard: { attempt: (_u: string, _ip: string, login: () => Promise<unknown>) => login() } as never,
    readiness: async () => ({ ok: true, checks: {} }),
    gateway: true,
    pipeline: { search: stub("search"), notifications: stub("notifications") },
    moves: stub("moves"),
    ...overrides,
  };
  return { ...createHttpApp(deps), tokens, deps };
}

export async function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
