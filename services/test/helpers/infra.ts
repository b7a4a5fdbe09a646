// The one way integration tests reach the real local data plane: .run/infra.env,
// written by `make infra-up`. Missing file = loud failure, never a silent skip.
// Each test file gets its own uniquely named databases (dropped afterwards) and
// its own Redis key prefix, so files never see each other's data.
import { randomBytes } from "node:crypto";
import { type Config, loadConfig } from "../../src/config.js";
import { createDatabase, dropDatabase, readInfraEnv, withDb } from "../../src/testing/infra-env.js";

export { INFRA_ENV_PATH, type InfraEnv, readInfraEnv } from "../../src/testing/infra-env.js";

export interface TestDatabases {
  id: string;
  catalogUrl: string;
  shardUrls: string[];
  /** Databases on the spare servers (only with createTestDatabases(n, { spares: true })). */
  spareUrls: string[];
  redisUrl: string;
  redisPrefix: string;
  drop(): Promise<void>;
}

/** Creates chat_t<id>_catalog and chat_t<id>_s<i> (one per shard server) for this test file. */
export async function createTestDatabases(
  shardCount?: number,
  opts: { spares?: boolean } = {},
): Promise<TestDatabases> {
  const infra = readInfraEnv();
  const id = randomBytes(4).toString("hex");
  const servers = shardCount ? infra.shardUrls.slice(0, shardCount) : infra.shardUrls;
  const spareServers = opts.spares ? infra.spareUrls : [];
  const targets = [
    { server: infra.catalogUrl, db: `chat_t${id}_catalog` },
    ...servers.map((server, i) => ({ server, db: `chat_t${id}_s${i}` })),
    ...spareServers.map((server, i) => ({ server, db: `chat_t${id}_s${servers.length + i}` })),
  ];
  for (const t of targets) await createDatabase(t.server, t.db);
  const [catalog, ...rest] = targets;
  const shards = rest.slice(0, servers.length);
  const spares = rest.slice(servers.length);
  return {
    id,
    catalogUrl: withDb(catalog!.server, catalog!.db),
    shardUrls: shards.map((s) => withDb(s.server, s.db)),
    spareUrls: spares.map((s) => withDb(s.server, s.db)),
    redisUrl: infra.redisUrl,
    redisPrefix: `chat_t${id}:`,
    async drop() {
      for (const t of targets) await dropDatabase(t.server, t.db);
    },
  };
}

export function testConfig(dbs: TestDatabases, env: Record<string, string> = {}): Config {
  return loadConfig(testEnv(dbs, env));
}

/** The CHAT_* environment of a test instance (for child processes running the entry point). */
export function testEnv(dbs: TestDatabases, env: Record<string, string> = {}): Record<string, string> {
  return {
    CHAT_HOST: "127.0.0.1",
    CHAT_PORT: "0",
    CHAT_LOG_LEVEL: process.env.CHAT_TEST_LOG_LEVEL ?? "silent",
    CHAT_MYSQL_CATALOG_URL: dbs.catalogUrl,
    CHAT_MYSQL_SHARD_URLS: dbs.shardUrls.join(","),
    CHAT_MYSQL_SPARE_URLS: dbs.spareUrls.join(","),
    CHAT_REDIS_URL: dbs.redisUrl,
    CHAT_REDIS_PREFIX: dbs.redisPrefix,
    CHAT_JWT_SECRET: `test-secret-${dbs.id}-0123456789abcdef0123456789`,
    CHAT_ADMIN_TOKEN: `admin-${dbs.id}-0123456789`,
    // Cheap hashing keeps the suite fast; production defaults are tested in unit tests.
    CHAT_ARGON2_MEMORY_KIB: "1024",
    CHAT_ARGON2_TIME_COST: "1",
    CHAT_RATE_LOGIN_PER_IP_PER_MINUTE: "1000",
    CHAT_RATE_REGISTER_PER_IP_PER_HOUR: "1000",
    CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN: "1000",
    CHAT_RATE_LOGIN_NEW_IP_PER_ACCOUNT_PER_15MIN: "1000",
    // Suites send bursts from few users; the send limits have their own test.
    CHAT_RATE_SEND_PER_USER_PER_10S: "1000000",
    CHAT_RATE_SEND_PER_SOCKET_PER_10S: "1000000",
    ...env,
  };
}
