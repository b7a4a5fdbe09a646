// The local data plane's addresses (.run/infra.env, written by `make infra-up`): the one
// module that reads that file, for services' integration test helpers, the load-test
// benchmarks and the operator's integration harness. Missing file = loud failure, never a
// silent skip.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import mysql from "mysql2/promise";

// services/src/testing (or services/dist/testing once built) → repo root.
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const INFRA_ENV_PATH = resolve(REPO_ROOT, ".run/infra.env");

export interface InfraEnv {
  catalogUrl: string;
  shardUrls: string[];
  /** Spare shard servers (CC_MYSQL_SPARE_URLS; may be empty). */
  spareUrls: string[];
  redisUrl: string;
  /** CC_KAFKA_BROKERS as host:port entries (empty when the file names no Kafka). */
  kafkaBrokers: string[];
  /** CC_PROMETHEUS_URL without a trailing slash, and the file-SD targets folder ("" when absent). */
  prometheusUrl: string;
  prometheusTargetsDir: string;
}

/** Parses the file's KEY=value lines (quotes stripped); nothing else reads it. */
function readVars(who: string): Record<string, string> {
  if (!existsSync(INFRA_ENV_PATH)) {
    throw new Error(
      `${who} the local data plane, but ${INFRA_ENV_PATH} does not exist: run \`make infra-up\` first`,
    );
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(INFRA_ENV_PATH, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1]) vars[m[1]] = (m[2] ?? "").trim().replace(/^["']|["']$/g, "");
  }
  return vars;
}

const list = (v: string | undefined): string[] => (v ?? "").split(",").filter(Boolean);

/**
 * Reads .run/infra.env — the one reader of it for services' tests, the benchmarks and the operator's
 * integration harness. `who` names the caller in the error when the file is missing; `need` lists the
 * optional parts this caller requires (MySQL and Redis always are).
 */
export function readInfraEnv(
  who = "integration tests need",
  need: readonly ("kafkaBrokers" | "prometheusUrl" | "prometheusTargetsDir")[] = [],
): InfraEnv {
  const vars = readVars(who);
  const required = ["CC_MYSQL_CATALOG_URL", "CC_MYSQL_SHARD_URLS", "CC_REDIS_URL"];
  const keyOf = {
    kafkaBrokers: "CC_KAFKA_BROKERS",
    prometheusUrl: "CC_PROMETHEUS_URL",
    prometheusTargetsDir: "CC_PROMETHEUS_TARGETS_DIR",
  } as const;
  const missing = [...required, ...need.map((n) => keyOf[n])].filter((k) => !vars[k]);
  if (missing.length > 0)
    throw new Error(`${INFRA_ENV_PATH} lacks ${missing.join(", ")}: re-run \`make infra-up\``);
  return {
    catalogUrl: vars.CC_MYSQL_CATALOG_URL as string,
    shardUrls: list(vars.CC_MYSQL_SHARD_URLS),
    spareUrls: list(vars.CC_MYSQL_SPARE_URLS),
    redisUrl: vars.CC_REDIS_URL as string,
    kafkaBrokers: list(vars.CC_KAFKA_BROKERS),
    prometheusUrl: (vars.CC_PROMETHEUS_URL ?? "").replace(/\/+$/, ""),
    prometheusTargetsDir: vars.CC_PROMETHEUS_TARGETS_DIR ?? "",
  };
}

/** `url` (a server URL) pointed at database `db`. */
export const withDb = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

/** Creates database `db` (utf8mb4) on the server at `server`, over a connection of its own. */
export async function createDatabase(server: string, db: string): Promise<void> {
  const conn = await mysql.createConnection(server);
  try {
    await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

/** Drops database `db` on the server at `server` if it exists, over a connection of its own. */
export async function dropDatabase(server: string, db: string): Promise<void> {
  const conn = await mysql.createConnection(server);
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  } finally {
    await conn.end();
  }
}
