// The one way integration tests reach the real local data plane: .run/infra.env,
// written by `make infra-up`. Missing file = loud failure, never a silent skip.
// Each test file gets its own uniquely named databases (dropped afterwards) and
// its own Redis key prefix, so files never see each other's data.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";
import { type Config, loadConfig } from "../../src/config.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const INFRA_ENV_PATH = resolve(REPO_ROOT, ".run/infra.env");

export interface InfraEnv {
  catalogUrl: string;
  shardUrls: string[];
  redisUrl: string;
}

export function readInfraEnv(): InfraEnv {
  if (!existsSync(INFRA_ENV_PATH)) {
    throw new Error(
      `integration tests need the local data plane, but ${INFRA_ENV_PATH} does not exist: run \`make infra-up\` first`,
    );
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(INFRA_ENV_PATH, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1]) vars[m[1]] = (m[2] ?? "").trim().replace(/^["']|["']$/g, "");
  }
  const need = ["CC_MYSQL_CATALOG_URL", "CC_MYSQL_SHARD_URLS", "CC_REDIS_URL"];
  const missing = need.filter((k) => !vars[k]);
  if (missing.length > 0) throw new Error(`${INFRA_ENV_PATH} lacks ${missing.join(", ")}`);
  return {
    catalogUrl: vars.CC_MYSQL_CATALOG_URL as string,
    shardUrls: (vars.CC_MYSQL_SHARD_URLS as string).split(",").filter(Boolean),
    redisUrl: vars.CC_REDIS_URL as string,
  };
}

const withDb = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

export interface TestDatabases {
  id: string;
  catalogUrl: string;
  shardUrls: string[];
  redisUrl: string;
  redisPrefix: string;
  drop(): Promise<void>;
}

/** Creates chat_t<id>_catalog and chat_t<id>_s<i> (one per shard server) for this test file. */
export async function createTestDatabases(shardCount?: number): Promise<TestDatabases> {
  const infra = readInfraEnv();
  const id = randomBytes(4).toString("hex");
  const servers = shardCount ? infra.shardUrls.slice(0, shardCount) : infra.shardUrls;
  const targets = [
    { server: infra.catalogUrl, db: `chat_t${id}_catalog` },
    ...servers.map((server, i) => ({ server, db: `chat_t${id}_s${i}` })),
  ];
  for (const t of targets) {
    const conn = await mysql.createConnection(t.server);
    try {
      await conn.query(`CREATE DATABASE \`${t.db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } finally {
      await conn.end();
    }
  }
  const [catalog, ...shards] = targets;
  return {
    id,
    catalogUrl: withDb(catalog!.server, catalog!.db),
    shardUrls: shards.map((s) => withDb(s.server, s.db)),
    redisUrl: infra.redisUrl,
    redisPrefix: `chat_t${id}:`,
    async drop() {
      for (const t of targets) {
        const conn = await mysql.createConnection(t.server);
        try {
          await conn.query(`DROP DATABASE IF EXISTS \`${t.db}\``);
        } finally {
          await conn.end();
        }
      }
    },
  };
}

export function testConfig(dbs: TestDatabases, env: Record<string, string> = {}): Config {
  return loadConfig({
    CHAT_HOST: "127.0.0.1",
    CHAT_PORT: "0",
    CHAT_LOG_LEVEL: process.env.CHAT_TEST_LOG_LEVEL ?? "silent",
    CHAT_MYSQL_CATALOG_URL: dbs.catalogUrl,
    CHAT_MYSQL_SHARD_URLS: dbs.shardUrls.join(","),
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
    ...env,
  });
}
