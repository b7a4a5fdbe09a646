// Where the local data plane runs: reads the infra.env that hack/infra-up.sh writes.
// Location: $CHATCLUSTER_RUN/infra.env, or <repo>/.run/infra.env. A missing file is an error, never a
// reason to skip: integration tests must fail loudly when the servers are not there.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface InfraEnv {
  /** mysql://user:pass@host:port/db of the catalog database. */
  mysqlCatalogUrl: string;
  /** The active message shards, in shard order. */
  mysqlShardUrls: string[];
  /** Started but unused shards, for scale-out tests. */
  mysqlSpareUrls: string[];
  redisUrl: string;
  /** host:port list for Kafka clients. */
  kafkaBrokers: string[];
  prometheusUrl: string;
  /** Drop a file_sd JSON file here to make Prometheus scrape a target (picked up within ~5s). */
  prometheusTargetsDir: string;
}

const REQUIRED_KEYS = [
  "CC_MYSQL_CATALOG_URL",
  "CC_MYSQL_SHARD_URLS",
  "CC_MYSQL_SPARE_URLS",
  "CC_REDIS_URL",
  "CC_KAFKA_BROKERS",
  "CC_PROMETHEUS_URL",
  "CC_PROMETHEUS_TARGETS_DIR",
] as const;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The infra.env path this process would read. */
export function infraEnvPath(env: NodeJS.ProcessEnv = process.env): string {
  const runDir = env.CHATCLUSTER_RUN ? resolve(env.CHATCLUSTER_RUN) : join(repoRoot, ".run");
  return join(runDir, "infra.env");
}

/** Parses shell-style KEY=VALUE lines (comments and blank lines ignored, optional quotes stripped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`infra.env: not a KEY=VALUE line: ${JSON.stringify(raw)}`);
    let value = line.slice(eq + 1);
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    out[line.slice(0, eq)] = value;
  }
  return out;
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Reads and validates infra.env; throws "data plane not running: run `make infra-up`" when it is absent. */
export function loadInfraEnv(path: string = infraEnvPath()): InfraEnv {
  if (!existsSync(path)) {
    throw new Error(`data plane not running: run \`make infra-up\` (no ${path})`);
  }
  const kv = parseEnvFile(readFileSync(path, "utf8"));
  const missing = REQUIRED_KEYS.filter((k) => kv[k] === undefined);
  if (missing.length > 0) {
    throw new Error(`${path} lacks ${missing.join(", ")}: re-run \`make infra-up\``);
  }
  const get = (k: (typeof REQUIRED_KEYS)[number]): string => kv[k] ?? "";
  const env: InfraEnv = {
    mysqlCatalogUrl: get("CC_MYSQL_CATALOG_URL"),
    mysqlShardUrls: list(get("CC_MYSQL_SHARD_URLS")),
    mysqlSpareUrls: list(get("CC_MYSQL_SPARE_URLS")),
    redisUrl: get("CC_REDIS_URL"),
    kafkaBrokers: list(get("CC_KAFKA_BROKERS")),
    prometheusUrl: get("CC_PROMETHEUS_URL").replace(/\/+$/, ""),
    prometheusTargetsDir: get("CC_PROMETHEUS_TARGETS_DIR"),
  };
  if (env.mysqlShardUrls.length === 0) throw new Error(`${path}: CC_MYSQL_SHARD_URLS is empty`);
  if (env.kafkaBrokers.length === 0) throw new Error(`${path}: CC_KAFKA_BROKERS is empty`);
  return env;
}

/** Polls `probe` until it returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
