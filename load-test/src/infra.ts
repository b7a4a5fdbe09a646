// The benchmark's access to the real local data plane (.run/infra.env, written by
// `make infra-up`): uniquely named databases per run (created here, dropped at the
// end) and a Redis key prefix of its own, the same way services' test helpers do it.
// The servers themselves are never touched beyond CREATE/DROP DATABASE.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { type Config, loadConfig } from "../../services/src/config.js";
import {
  createDatabase,
  dropDatabase,
  type InfraEnv,
  readInfraEnv as readSharedInfraEnv,
  withDb,
} from "../../services/src/testing/infra-env.js";

export { INFRA_ENV_PATH, type InfraEnv, REPO_ROOT } from "../../services/src/testing/infra-env.js";

export const readInfraEnv = (): InfraEnv => readSharedInfraEnv("the benchmark needs");

/** A server URL without credentials, for printing. */
export const describeServer = (url: string): string => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
};

export interface BenchDatabases {
  id: string;
  catalogUrl: string;
  shardUrls: string[];
  /** The server (no database) behind each shard URL. */
  shardServers: string[];
  redisUrl: string;
  redisPrefix: string;
  drop(): Promise<void>;
}

/** Every database and Redis prefix this process created, so a crash path can still clean up. */
const live = new Set<BenchDatabases>();

/**
 * Creates chat_bench<id>_catalog and chat_bench<id>_s<i> on the first `shardCount`
 * shard servers. Name prefix `chat_bench` keeps them apart from test databases.
 */
export async function createBenchDatabases(shardCount: number, label: string): Promise<BenchDatabases> {
  const infra = readInfraEnv();
  if (infra.shardUrls.length < shardCount) {
    throw new Error(`asked for ${shardCount} shards but infra.env lists ${infra.shardUrls.length}`);
  }
  const id = `${label}${randomBytes(3).toString("hex")}`;
  const servers = infra.shardUrls.slice(0, shardCount);
  const targets = [
    { server: infra.catalogUrl, db: `chat_bench${id}_catalog` },
    ...servers.map((server, i) => ({ server, db: `chat_bench${id}_s${i}` })),
  ];
  const created: typeof targets = [];
  const dropAll = async () => {
    for (const t of created) await dropDatabase(t.server, t.db);
    const redis = new Redis(infra.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
    try {
      // Bounded: at most 1,000 SCAN pages.
      let cursor = "0";
      for (let page = 0; page < 1000; page++) {
        const [next, keys] = await redis.scan(cursor, "MATCH", `chat_bench${id}:*`, "COUNT", 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
        if (cursor === "0") break;
      }
    } finally {
      redis.disconnect();
    }
  };
  try {
    for (const t of targets) {
      await createDatabase(t.server, t.db);
      created.push(t);
    }
  } catch (err) {
    await dropAll().catch(() => {});
    throw err;
  }
  const [catalog, ...shards] = targets;
  const dbs: BenchDatabases = {
    id,
    catalogUrl: withDb(catalog!.server, catalog!.db),
    shardUrls: shards.map((s) => withDb(s.server, s.db)),
    shardServers: servers,
    redisUrl: infra.redisUrl,
    redisPrefix: `chat_bench${id}:`,
    async drop() {
      live.delete(dbs);
      await dropAll();
    },
  };
  live.add(dbs);
  return dbs;
}

/** Drops whatever is still alive (error and signal paths). */
export async function dropAllBenchDatabases(): Promise<void> {
  await Promise.allSettled([...live].map((d) => d.drop()));
}

/** Platform config for a benchmark instance: ephemeral port on 127.0.0.1, no worker role. */
export function benchConfig(dbs: BenchDatabases, env: Record<string, string> = {}): Config {
  return loadConfig({
    CHAT_ROLES: "gateway,realtime",
    CHAT_HOST: "127.0.0.1",
    CHAT_PORT: "0",
    CHAT_LOG_LEVEL: process.env.CHAT_BENCH_LOG_LEVEL ?? "silent",
    CHAT_MYSQL_CATALOG_URL: dbs.catalogUrl,
    CHAT_MYSQL_SHARD_URLS: dbs.shardUrls.join(","),
    CHAT_REDIS_URL: dbs.redisUrl,
    CHAT_REDIS_PREFIX: dbs.redisPrefix,
    CHAT_JWT_SECRET: `bench-secret-${dbs.id}-0123456789abcdef0123456789`,
    CHAT_ADMIN_TOKEN: `bench-admin-${dbs.id}-0123456789`,
    CHAT_ACCESS_TOKEN_TTL_SECONDS: "7200",
    // Seeding registers hundreds of users: cheap hashing keeps setup short. Hashing is
    // not on the send path being measured.
    CHAT_ARGON2_MEMORY_KIB: "1024",
    CHAT_ARGON2_TIME_COST: "1",
    CHAT_RATE_LOGIN_PER_IP_PER_MINUTE: "100000",
    CHAT_RATE_REGISTER_PER_IP_PER_HOUR: "100000",
    CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN: "100000",
    // Saturation runs send far above a person's rate on purpose: the send limits would measure themselves.
    CHAT_RATE_SEND_PER_USER_PER_10S: "1000000",
    CHAT_RATE_SEND_PER_SOCKET_PER_10S: "1000000",
    // The platform's default pool size unless the run says otherwise (printed with the figures).
    ...(process.env.BENCH_POOL_SIZE ? { CHAT_MYSQL_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
    // Group-commit knobs pass through, so a run can compare values (defaults otherwise).
    ...Object.fromEntries(
      ["CHAT_SEND_MAX_BATCH", "CHAT_SEND_MAX_IN_FLIGHT", "CHAT_SEND_MAX_QUEUE"]
        .filter((k) => process.env[k])
        .map((k) => [k, process.env[k] as string]),
    ),
    ...env,
  });
}
