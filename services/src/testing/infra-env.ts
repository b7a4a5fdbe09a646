// The local data plane's addresses (.run/infra.env, written by `make infra-up`), shared by
// services' integration test helpers and the load-test benchmark. Missing file = loud
// failure, never a silent skip.
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
}

/** Reads .run/infra.env; `who` names the caller in the error when the file is missing. */
export function readInfraEnv(who = "integration tests need"): InfraEnv {
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
  const need = ["CC_MYSQL_CATALOG_URL", "CC_MYSQL_SHARD_URLS", "CC_REDIS_URL"];
  const missing = need.filter((k) => !vars[k]);
  if (missing.length > 0) throw new Error(`${INFRA_ENV_PATH} lacks ${missing.join(", ")}`);
  return {
    catalogUrl: vars.CC_MYSQL_CATALOG_URL as string,
    shardUrls: (vars.CC_MYSQL_SHARD_URLS as string).split(",").filter(Boolean),
    spareUrls: (vars.CC_MYSQL_SPARE_URLS ?? "").split(",").filter(Boolean),
    redisUrl: vars.CC_REDIS_URL as string,
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
