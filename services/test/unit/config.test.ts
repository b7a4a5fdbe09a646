import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const base = {
  CHAT_MYSQL_CATALOG_URL: "mysql://u:p@127.0.0.1:3306/chat",
  CHAT_MYSQL_SHARD_URLS: "mysql://u:p@127.0.0.1:3307/chat, mysql://u:p@127.0.0.1:3308/chat",
  CHAT_REDIS_URL: "redis://127.0.0.1:6379",
  CHAT_JWT_SECRET: "x".repeat(32),
  CHAT_ADMIN_TOKEN: "a".repeat(16),
};

describe("loadConfig", () => {
  it("applies defaults and runs all roles", () => {
    const c = loadConfig(base);
    expect(c.roles).toEqual(["gateway", "realtime", "worker"]);
    expect(c.port).toBe(8080);
    expect(c.mysql.shardUrls).toHaveLength(2);
    expect(c.mysql.spareUrls).toEqual([]);
    expect(c.auth.argon2MemoryKib).toBe(19_456);
  });

  it("parses a role list", () => {
    expect(loadConfig({ ...base, CHAT_ROLES: "gateway,realtime" }).roles).toEqual(["gateway", "realtime"]);
  });

  it("is frozen", () => {
    const c = loadConfig(base);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.mysql)).toBe(true);
    expect(() => {
      (c as { port: number }).port = 1;
    }).toThrow();
  });

  it.each([
    [{ CHAT_ROLES: "gateway,bogus" }, "CHAT_ROLES"],
    [{ CHAT_JWT_SECRET: "short" }, "CHAT_JWT_SECRET"],
    [{ CHAT_MYSQL_SHARD_URLS: "" }, "CHAT_MYSQL_SHARD_URLS"],
    [{ CHAT_MYSQL_CATALOG_URL: "postgres://x/y" }, "CHAT_MYSQL_CATALOG_URL"],
    [{ CHAT_PORT: "70000" }, "CHAT_PORT"],
  ])("rejects %o naming the variable", (patch, name) => {
    expect(() => loadConfig({ ...base, ...patch })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...patch })).toThrow(name);
  });

  it("never echoes secrets in errors", () => {
    try {
      loadConfig({ ...base, CHAT_JWT_SECRET: "supersecretvalue", CHAT_PORT: "nope" });
    } catch (e) {
      expect(String(e)).not.toContain("supersecretvalue");
    }
  });
});
