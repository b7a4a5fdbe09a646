// The one place that reads process.env. Everything else receives a frozen Config,
// so tests can build any configuration without touching the process environment.
import { z } from "zod";

export const ROLES = ["gateway", "realtime", "worker"] as const;
export type Role = (typeof ROLES)[number];

const csv = (s: string): string[] =>
  s
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);

const mysqlUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith("mysql://") || u.startsWith("mariadb://"), "must be a mysql:// URL");

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  CHAT_ROLES: z
    .string()
    .default("all")
    .transform((s, ctx) => {
      const parts = csv(s);
      if (parts.length === 1 && parts[0] === "all") return [...ROLES];
      for (const p of parts) {
        if (!(ROLES as readonly string[]).includes(p)) {
          ctx.addIssue({ code: "custom", message: `unknown role "${p}" (want all or ${ROLES.join(",")})` });
          return z.NEVER;
        }
      }
      if (parts.length === 0) {
        ctx.addIssue({ code: "custom", message: "at least one role is required" });
        return z.NEVER;
      }
      return [...new Set(parts)] as Role[];
    }),
  CHAT_HOST: z.string().default("0.0.0.0"),
  CHAT_PORT: int(8080, 0, 65535),
  CHAT_INSTANCE_ID: z.string().min(1).max(64).optional(),
  // Which hops may set X-Forwarded-For (express "trust proxy"): client IPs feed the
  // rate limits, so only hops you run (an ingress) belong here.
  CHAT_TRUST_PROXY: z.string().min(1).default("loopback"),
  CHAT_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  CHAT_MYSQL_CATALOG_URL: mysqlUrl,
  CHAT_MYSQL_SHARD_URLS: z
    .string()
    .transform(csv)
    .pipe(z.array(mysqlUrl).min(1, "at least one shard URL is required")),
  // Spare shards are registered in the catalog but receive no new rooms until an
  // operator (or the rebalancer) activates them.
  CHAT_MYSQL_SPARE_URLS: z.string().default("").transform(csv).pipe(z.array(mysqlUrl)),
  CHAT_MYSQL_POOL_SIZE: int(10, 1, 500),
  CHAT_REDIS_URL: z.string().url(),
  // Every Redis key and channel this instance touches starts with this prefix, so
  // several clusters (or test files) can share one Redis.
  CHAT_REDIS_PREFIX: z.string().min(1).max(64).default("chat:"),

  CHAT_JWT_SECRET: z.string().min(32, "must be at least 32 characters"),
  CHAT_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters"),
  CHAT_ACCESS_TOKEN_TTL_SECONDS: int(900, 30, 86_400),
  CHAT_REFRESH_TOKEN_TTL_SECONDS: int(30 * 86_400, 60, 365 * 86_400),
  // argon2id cost; the default follows the OWASP recommendation (19 MiB, t=2).
  CHAT_ARGON2_MEMORY_KIB: int(19_456, 1024, 1_048_576),
  CHAT_ARGON2_TIME_COST: int(2, 1, 10),

  CHAT_BODY_LIMIT_BYTES: int(64 * 1024, 1024, 10 * 1024 * 1024),
  CHAT_MESSAGE_MAX_LENGTH: int(4000, 1, 65_000),
  CHAT_ROOM_MEMBER_CAP: int(1000, 2, 1_000_000),

  CHAT_RATE_LOGIN_PER_IP_PER_MINUTE: int(30, 1),
  // Failed sign-ins per account from one address (then 429 for that pair only) …
  CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN: int(10, 1),
  // … per account from addresses it never signed in from, after which those pass one
  // per CHAT_RATE_LOGIN_SLOW_SECONDS (docs/services-platform.md, "Login limits").
  CHAT_RATE_LOGIN_NEW_IP_PER_ACCOUNT_PER_15MIN: int(20, 1),
  CHAT_RATE_LOGIN_SLOW_SECONDS: int(5, 1, 3600),
  CHAT_RATE_REGISTER_PER_IP_PER_HOUR: int(20, 1),
  CHAT_RATE_TYPING_PER_10S: int(5, 1),
  // Messages sent per user (all sockets and REST, cluster-wide) and per socket; past
  // them a send is refused with 429 and a retry hint.
  CHAT_RATE_SEND_PER_USER_PER_10S: int(100, 1),
  CHAT_RATE_SEND_PER_SOCKET_PER_10S: int(50, 1),

  // 0 keeps messages forever; otherwise whole month partitions older than this are dropped.
  CHAT_RETENTION_MONTHS: int(0, 0, 1200),
  // How long a clientMsgId is remembered for idempotent retries.
  CHAT_DEDUP_WINDOW_HOURS: int(72, 1, 24 * 365),
  CHAT_PRESENCE_TTL_SECONDS: int(60, 5, 3600),
  CHAT_SHUTDOWN_DEADLINE_MS: int(10_000, 100, 600_000),
  // Send path group commit per shard (docs/benchmarks.md): most sends stored by one
  // transaction, batches in flight at once (each holds a pooled connection), and how
  // many sends may wait for a batch before new ones are refused with a retryable 503.
  CHAT_SEND_MAX_BATCH: int(512, 1, 10_000),
  CHAT_SEND_MAX_IN_FLIGHT: int(4, 1, 64),
  CHAT_SEND_MAX_QUEUE: int(5000, 1, 1_000_000),

  // Event pipeline (docs/event-pipeline.md). No brokers = the in-process bus.
  CHAT_KAFKA_BROKERS: z
    .string()
    .default("")
    .transform(csv)
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$/, "must be host:port"))),
  // Topics are <prefix>events.v1 and <prefix>events.v1.dlq; consumer groups <prefix>search, <prefix>notifications.
  CHAT_KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "letters, digits, '.', '_', '-'")
    .default("chat."),
  // Partitions of topics the platform creates; 0 = the broker's default (num.partitions),
  // e.g. for an external Kafka whose topics may also be managed outside (Strimzi KafkaTopic).
  CHAT_KAFKA_PARTITIONS: int(12, 0, 10_000),
  CHAT_KAFKA_TLS: z.enum(["true", "false"]).default("false"),
  CHAT_KAFKA_SASL_MECHANISM: z.enum(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]).optional(),
  CHAT_KAFKA_USERNAME: z.string().min(1).optional(),
  CHAT_KAFKA_PASSWORD: z.string().min(1).optional(),
  // -1 = the broker's default.replication.factor.
  CHAT_KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(-1).max(32).default(-1),
  CHAT_OUTBOX_POLL_MS: int(50, 5, 60_000),
  CHAT_OUTBOX_BATCH: int(1000, 1, 10_000),
  CHAT_OUTBOX_LEASE_MS: int(15_000, 1000, 600_000),
  // Published outbox rows are deleted after this many hours; 0 keeps them.
  CHAT_OUTBOX_RETENTION_HOURS: int(24, 0, 24 * 365),
  // Attempts of a non-transient consumer failure before the event goes to the DLQ.
  CHAT_CONSUMER_MAX_ATTEMPTS: int(3, 1, 100),
  CHAT_WEBHOOK_MAX_ATTEMPTS: int(6, 1, 50),
  CHAT_WEBHOOK_BACKOFF_MS: int(2000, 10, 3_600_000),
  CHAT_WEBHOOK_TIMEOUT_MS: int(5000, 100, 60_000),

  // Online room moves (docs/room-moves.md). The most a room's writes may pause while
  // a move is fenced; writers wait at most this long before a retryable 503.
  CHAT_MOVE_MAX_WRITE_PAUSE_MS: int(2000, 1, 60_000),
  // Copy throttle in rows per second per move; 0 = unlimited.
  CHAT_MOVE_ROWS_PER_SECOND: int(0, 0, 10_000_000),
  CHAT_MOVE_BATCH_ROWS: int(500, 1, 10_000),
  // A mover renews its lease on the move row; a lease older than this is taken over.
  CHAT_MOVE_LEASE_MS: int(10_000, 500, 600_000),
  // Fences given up (pause bound exceeded) before the move fails.
  CHAT_MOVE_FENCE_ATTEMPTS: int(5, 1, 100),
  // Whether this instance's supervisor takes over moves of crashed movers.
  CHAT_MOVE_SUPERVISOR: z.enum(["true", "false"]).default("true"),
  CHAT_MOVE_SUPERVISOR_INTERVAL_MS: int(2000, 50, 600_000),
  // How often each instance publishes its room heat to Redis for GET /admin/heat's
  // cluster-wide view; a snapshot expires 3 periods after its publication.
  CHAT_HEAT_PUBLISH_INTERVAL_MS: int(3000, 100, 60_000),
  // The built web client the gateway serves at / (npm run build -w web); empty = the
  // checkout's web/dist. Nothing is served at / when the folder has no index.html.
  CHAT_WEB_DIR: z.string().max(4096).default(""),
});

export type Config = Readonly<{
  roles: readonly Role[];
  host: string;
  port: number;
  instanceId: string;
  logLevel: z.infer<typeof schema>["CHAT_LOG_LEVEL"];
  trustProxy: string;
  mysql: Readonly<{
    catalogUrl: string;
    shardUrls: readonly string[];
    spareUrls: readonly string[];
    poolSize: number;
  }>;
  redis: Readonly<{ url: string; prefix: string }>;
  auth: Readonly<{
    jwtSecret: string;
    adminToken: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    argon2MemoryKib: number;
    argon2TimeCost: number;
  }>;
  limits: Readonly<{
    bodyBytes: number;
    messageLength: number;
    roomMemberCap: number;
    loginPerIpPerMinute: number;
    loginPerAccountPer15Min: number;
    loginNewIpPerAccountPer15Min: number;
    loginSlowSeconds: number;
    registerPerIpPerHour: number;
    typingPer10s: number;
    sendPerUserPer10s: number;
    sendPerSocketPer10s: number;
  }>;
  retentionMonths: number;
  dedupWindowHours: number;
  presenceTtlSeconds: number;
  shutdownDeadlineMs: number;
  send: Readonly<{ maxBatch: number; maxInFlight: number; maxQueue: number }>;
  moves: Readonly<{
    maxWritePauseMs: number;
    rowsPerSecond: number;
    batchRows: number;
    leaseMs: number;
    fenceAttempts: number;
    supervisor: boolean;
    supervisorIntervalMs: number;
  }>;
  heat: Readonly<{ publishIntervalMs: number }>;
  webDir: string;
  pipeline: Readonly<{
    kafkaBrokers: readonly string[];
    topicPrefix: string;
    partitions: number;
    replicationFactor: number;
    tls: boolean;
    sasl: Readonly<{
      mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
      username: string;
      password: string;
    }> | null;
    outboxPollMs: number;
    outboxBatch: number;
    outboxLeaseMs: number;
    outboxRetentionHours: number;
    consumerMaxAttempts: number;
    webhookMaxAttempts: number;
    webhookBackoffMs: number;
    webhookTimeoutMs: number;
  }>;
}>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Every variable the platform reads (the operator's env must stay within these: see the contract test). */
export const CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(schema.shape));

/** Reads the process environment; see parseConfig. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseConfig(env);
}

/**
 * Parses and freezes configuration from an explicit env map (no process.env). Secrets never appear in the
 * error text. Only a missing CHAT_INSTANCE_ID is filled with a generated one.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.CHAT_KAFKA_SASL_MECHANISM && !(e.CHAT_KAFKA_USERNAME && e.CHAT_KAFKA_PASSWORD)) {
    throw new ConfigError(
      "invalid configuration:\n  CHAT_KAFKA_USERNAME, CHAT_KAFKA_PASSWORD: required with CHAT_KAFKA_SASL_MECHANISM",
    );
  }
  const cfg: Config = {
    roles: Object.freeze(e.CHAT_ROLES),
    host: e.CHAT_HOST,
    port: e.CHAT_PORT,
    instanceId: e.CHAT_INSTANCE_ID ?? `chat-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    logLevel: e.CHAT_LOG_LEVEL,
    trustProxy: e.CHAT_TRUST_PROXY,
    mysql: Object.freeze({
      catalogUrl: e.CHAT_MYSQL_CATALOG_URL,
      shardUrls: Object.freeze(e.CHAT_MYSQL_SHARD_URLS),
      spareUrls: Object.freeze(e.CHAT_MYSQL_SPARE_URLS),
      poolSize: e.CHAT_MYSQL_POOL_SIZE,
    }),
    redis: Object.freeze({ url: e.CHAT_REDIS_URL, prefix: e.CHAT_REDIS_PREFIX }),
    auth: Object.freeze({
      jwtSecret: e.CHAT_JWT_SECRET,
      adminToken: e.CHAT_ADMIN_TOKEN,
      accessTokenTtlSeconds: e.CHAT_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.CHAT_REFRESH_TOKEN_TTL_SECONDS,
      argon2MemoryKib: e.CHAT_ARGON2_MEMORY_KIB,
      argon2TimeCost: e.CHAT_ARGON2_TIME_COST,
    }),
    limits: Object.freeze({
      bodyBytes: e.CHAT_BODY_LIMIT_BYTES,
      messageLength: e.CHAT_MESSAGE_MAX_LENGTH,
      roomMemberCap: e.CHAT_ROOM_MEMBER_CAP,
      loginPerIpPerMinute: e.CHAT_RATE_LOGIN_PER_IP_PER_MINUTE,
      loginPerAccountPer15Min: e.CHAT_RATE_LOGIN_PER_ACCOUNT_PER_15MIN,
      loginNewIpPerAccountPer15Min: e.CHAT_RATE_LOGIN_NEW_IP_PER_ACCOUNT_PER_15MIN,
      loginSlowSeconds: e.CHAT_RATE_LOGIN_SLOW_SECONDS,
      registerPerIpPerHour: e.CHAT_RATE_REGISTER_PER_IP_PER_HOUR,
      typingPer10s: e.CHAT_RATE_TYPING_PER_10S,
      sendPerUserPer10s: e.CHAT_RATE_SEND_PER_USER_PER_10S,
      sendPerSocketPer10s: e.CHAT_RATE_SEND_PER_SOCKET_PER_10S,
    }),
    retentionMonths: e.CHAT_RETENTION_MONTHS,
    dedupWindowHours: e.CHAT_DEDUP_WINDOW_HOURS,
    presenceTtlSeconds: e.CHAT_PRESENCE_TTL_SECONDS,
    shutdownDeadlineMs: e.CHAT_SHUTDOWN_DEADLINE_MS,
    send: Object.freeze({
      maxBatch: e.CHAT_SEND_MAX_BATCH,
      maxInFlight: e.CHAT_SEND_MAX_IN_FLIGHT,
      maxQueue: e.CHAT_SEND_MAX_QUEUE,
    }),
    moves: Object.freeze({
      maxWritePauseMs: e.CHAT_MOVE_MAX_WRITE_PAUSE_MS,
      rowsPerSecond: e.CHAT_MOVE_ROWS_PER_SECOND,
      batchRows: e.CHAT_MOVE_BATCH_ROWS,
      leaseMs: e.CHAT_MOVE_LEASE_MS,
      fenceAttempts: e.CHAT_MOVE_FENCE_ATTEMPTS,
      supervisor: e.CHAT_MOVE_SUPERVISOR === "true",
      supervisorIntervalMs: e.CHAT_MOVE_SUPERVISOR_INTERVAL_MS,
    }),
    heat: Object.freeze({ publishIntervalMs: e.CHAT_HEAT_PUBLISH_INTERVAL_MS }),
    webDir: e.CHAT_WEB_DIR,
    pipeline: Object.freeze({
      kafkaBrokers: Object.freeze(e.CHAT_KAFKA_BROKERS),
      topicPrefix: e.CHAT_KAFKA_TOPIC_PREFIX,
      partitions: e.CHAT_KAFKA_PARTITIONS,
      replicationFactor: e.CHAT_KAFKA_REPLICATION_FACTOR,
      tls: e.CHAT_KAFKA_TLS === "true",
      sasl: e.CHAT_KAFKA_SASL_MECHANISM
        ? Object.freeze({
            mechanism: e.CHAT_KAFKA_SASL_MECHANISM,
            username: e.CHAT_KAFKA_USERNAME ?? "",
            password: e.CHAT_KAFKA_PASSWORD ?? "",
          })
        : null,
      outboxPollMs: e.CHAT_OUTBOX_POLL_MS,
      outboxBatch: e.CHAT_OUTBOX_BATCH,
      outboxLeaseMs: e.CHAT_OUTBOX_LEASE_MS,
      outboxRetentionHours: e.CHAT_OUTBOX_RETENTION_HOURS,
      consumerMaxAttempts: e.CHAT_CONSUMER_MAX_ATTEMPTS,
      webhookMaxAttempts: e.CHAT_WEBHOOK_MAX_ATTEMPTS,
      webhookBackoffMs: e.CHAT_WEBHOOK_BACKOFF_MS,
      webhookTimeoutMs: e.CHAT_WEBHOOK_TIMEOUT_MS,
    }),
  };
  return Object.freeze(cfg);
}

export const hasRole = (cfg: Config, role: Role): boolean => cfg.roles.includes(role);
