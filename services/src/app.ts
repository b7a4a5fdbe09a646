// Composition root: builds pools, Redis clients, services and the roles this
// instance runs (gateway = REST, realtime = socket.io, worker = background jobs),
// and owns the one orderly stop path.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { Server as IoServer } from "socket.io";
import { PasswordHasher } from "./accounts/passwords.js";
import { AccountService } from "./accounts/service.js";
import { SessionGuard } from "./accounts/sessions.js";
import { TokenService } from "./accounts/tokens.js";
import { type Config, hasRole } from "./config.js";
import { migrate } from "./db/migrate.js";
import { createPool, type Pool } from "./db/pool.js";
import { type EventSink, nullSink } from "./fanout.js";
import { ClusterHeat } from "./heat/cluster.js";
import { RedisHeatStore } from "./heat/store.js";
import { HeatTracker } from "./heat/tracker.js";
import { createHttpApp } from "./http/app.js";
import type { Readiness } from "./http/deps.js";
import { LoginGuard } from "./http/login-guard.js";
import { makeLimiter } from "./http/ratelimit.js";
import { createRootLogger, type Logger } from "./log.js";
import { SendLimiter } from "./messages/send-limit.js";
import { MessageService } from "./messages/service.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createMoveMetrics } from "./moves/metrics.js";
import { MoveService } from "./moves/service.js";
import { createPipeline, type Pipeline } from "./pipeline/index.js";
import { ReadStateService } from "./readstate/service.js";
import { Presence } from "./realtime/presence.js";
import { attachRealtime, type ChatServer, type RealtimeHandle } from "./realtime/server.js";
import { SocketSink } from "./realtime/sink.js";
import { RoomService } from "./rooms/service.js";
import { catalogMigrations, shardMigrations } from "./schema.js";
import { indexNewer } from "./search/indexer.js";
import { activeShardIds, migrateShards } from "./sharding/activate.js";
import { RoomDirectory } from "./sharding/directory.js";
import { RoomRouter } from "./sharding/router.js";
import { ShardSet } from "./sharding/shards.js";
import { RetentionJob } from "./worker/retention.js";

export interface ChatApp {
  config: Config;
  log: Logger;
  metrics: Metrics;
  http: HttpServer;
  io: ChatServer | null;
  catalog: Pool;
  shards: ShardSet;
  directory: RoomDirectory;
  accounts: AccountService;
  rooms: RoomService;
  messages: MessageService;
  readState: ReadStateService;
  retention: RetentionJob;
  /** Event pipeline: outbox relay, search, notifications (the worker role runs its loops). */
  pipeline: Pipeline;
  /** Online room moves (admin API) and the supervisor that resumes orphaned ones. */
  moves: MoveService;
  /** Listens on config.host:config.port (0 = ephemeral); resolves with the bound port. */
  listen(): Promise<number>;
  url(): string;
  readiness(): Promise<Readiness>;
  /** Stops accepting, drains sockets and requests, closes Redis and pools. Idempotent. */
  stop(): Promise<void>;
}

const SPARE_MIGRATE_TIMEOUT_MS = 3000;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms}ms`)), ms).unref()),
  ]);

export async function createChatApp(config: Config, opts: { log?: Logger } = {}): Promise<ChatApp> {
  const log = opts.log ?? createRootLogger({ level: config.logLevel, instanceId: config.instanceId });
  const metrics = createMetrics();
  const catalog = createPool(config.mysql.catalogUrl, config.mysql.poolSize);
  const shards = ShardSet.fromUrls(config.mysql.shardUrls, config.mysql.spareUrls, config.mysql.poolSize);
  const redisOpts = { maxRetriesPerRequest: 3, enableAutoPipelining: true, lazyConnect: false };
  const redisLog = log.child({ mod: "redis" });
  // ioredis reconnects by itself; without a listener every failed attempt would be
  // printed as an "unhandled error event". An outage is said twice per client — when it
  // starts and when the connection is back, with how many attempts failed — not once
  // per reconnect attempt (dozens of lines for a 5-second outage).
  const watch = (name: string, client: Redis): Redis => {
    let failed = 0;
    client.on("error", (err: Error) => {
      if (failed++ === 0) redisLog.warn({ client: name, err: err.message }, "redis connection error");
    });
    client.on("ready", () => {
      if (failed > 0) redisLog.info({ client: name, failedAttempts: failed }, "redis connection restored");
      failed = 0;
    });
    return client;
  };
  const redis = watch("main", new Redis(config.redis.url, redisOpts));
  const directorySub = watch("directory", new Redis(config.redis.url, { lazyConnect: false }));
  const closers: (() => Promise<unknown>)[] = [];

  try {
    await migrate(catalog, catalogMigrations, log.child({ db: "catalog" }));
    // Spares may not answer yet (the operator creates them later): best-effort here,
    // for real on activation (POST /admin/shards/:id/activate).
    await migrateShards(shards, shardMigrations, log, SPARE_MIGRATE_TIMEOUT_MS);
  } catch (err) {
    await Promise.allSettled([catalog.end(), shards.close(), redis.quit(), directorySub.quit()]);
    throw err;
  }

  const directory = new RoomDirectory(
    catalog,
    redis,
    config.redis.prefix,
    metrics,
    log.child({ mod: "directory" }),
  );
  await directory.registerShards(shards.all().map((s) => ({ id: s.id, state: s.configuredState })));
  await directory.listen(directorySub);
  const router = new RoomRouter(directory, shards, metrics, config.moves.maxWritePauseMs);

  const http = createServer();
  let io: ChatServer | null = null;
  let sink: EventSink = nullSink;
  const adapterClients: Redis[] = [];
  if (hasRole(config, "realtime") || hasRole(config, "gateway") || hasRole(config, "worker")) {
    const pub = watch("adapter-pub", redis.duplicate());
    const sub = watch("adapter-sub", redis.duplicate());
    adapterClients.push(pub, sub);
    // A gateway-only instance still needs an (unattached) socket.io server: its
    // adapter publishes the gateway's events to the realtime nodes through Redis.
    // So does a worker-only one (live notifications to users' channels).
    io = new IoServer({
      adapter: createAdapter(pub, sub, { key: `${config.redis.prefix}socket.io` }),
      maxHttpBufferSize: 1_000_000,
      serveClient: false,
      cors: { origin: true, credentials: false },
    }) as ChatServer;
    sink = new SocketSink(io);
  }

  const hasher = new PasswordHasher({
    memoryKib: config.auth.argon2MemoryKib,
    timeCost: config.auth.argon2TimeCost,
  });
  const sessions = new SessionGuard(
    redis,
    config.redis.prefix,
    catalog,
    config.auth.accessTokenTtlSeconds,
    (userId, sessionId) => sink.endSession(userId, sessionId),
  );
  const tokens = new TokenService(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds, sessions);
  const accounts = new AccountService(catalog, hasher, tokens, config.auth.refreshTokenTtlSeconds, sessions);
  const rooms = new RoomService(router, catalog, accounts, sink, config.limits.roomMemberCap);
  const heat = new HeatTracker();
  const messages = new MessageService(
    router,
    rooms,
    accounts,
    sink,
    metrics,
    config.limits.messageLength,
    config.send,
    heat,
    new SendLimiter(
      redis,
      config.redis.prefix,
      { perUserPer10s: config.limits.sendPerUserPer10s, perSocketPer10s: config.limits.sendPerSocketPer10s },
      metrics,
    ),
  );
  const clusterHeat = new ClusterHeat({
    tracker: heat,
    store: new RedisHeatStore(redis, config.redis.prefix),
    instanceId: config.instanceId,
    publishIntervalMs: config.heat.publishIntervalMs,
    log: log.child({ mod: "heat" }),
  });
  const readState = new ReadStateService(router, rooms, sink);
  const presence = new Presence(redis, config.redis.prefix, config.presenceTtlSeconds);
  const retention = new RetentionJob(
    shards,
    { retentionMonths: config.retentionMonths, dedupWindowHours: config.dedupWindowHours },
    metrics,
    log.child({ mod: "retention" }),
  );
  // Every instance makes sure this month's partition exists before it takes writes;
  // only workers keep doing it on a schedule.
  await retention.runOnce();
  if (hasRole(config, "worker")) retention.start();
  const pipeline = createPipeline({ config, log, metrics, catalog, shards, router, rooms, redis, sink });
  if (hasRole(config, "worker")) pipeline.start();
  const moves = new MoveService({
    catalog,
    shards,
    directory,
    metrics: createMoveMetrics(metrics.registry),
    log: log.child({ mod: "moves" }),
    instanceId: config.instanceId,
    opts: config.moves,
    shardMigrations,
    reindexAfterFlip: (target, roomId) => indexNewer(target, roomId),
  });
  moves.start();

  let ready = false;
  let stopping: Promise<void> | null = null;
  const readiness = async (): Promise<Readiness> => {
    const checks: Record<string, string> = {};
    const probe = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 1000);
        checks[name] = "ok";
      } catch (err) {
        // /readyz is unauthenticated: the reason goes to the log, not the response.
        checks[name] = "unavailable";
        log.warn({ check: name, err }, "readiness check failed");
      }
    };
    // Shards not active in the catalog (spares not activated yet) do not count.
    const active = await withTimeout(activeShardIds(catalog), 1000).catch(() => null);
    await Promise.all([
      probe("catalog", () => catalog.query("SELECT 1")),
      probe("redis", () => redis.ping()),
      ...shards
        .all()
        .filter((s) => (active ? active.has(s.id) : s.configuredState === "active"))
        .map((s) => probe(`shard-${s.id}`, () => s.pool.query("SELECT 1"))),
    ]);
    if (!ready) checks.instance = stopping ? "shutting down" : "starting";
    return { ok: ready && Object.values(checks).every((v) => v === "ok"), checks };
  };

  const limiters = {
    loginIp: makeLimiter(redis, config.redis.prefix, "login_ip", config.limits.loginPerIpPerMinute, 60),
    registerIp: makeLimiter(
      redis,
      config.redis.prefix,
      "register_ip",
      config.limits.registerPerIpPerHour,
      3600,
    ),
  };
  const { app } = createHttpApp({
    config,
    log: log.child({ mod: "http" }),
    metrics,
    tokens,
    accounts,
    rooms,
    messages,
    readState,
    directory,
    shards,
    limiters,
    loginGuard: new LoginGuard(
      redis,
      config.redis.prefix,
      {
        perAccountIp: config.limits.loginPerAccountPer15Min,
        perAccountNewIp: config.limits.loginNewIpPerAccountPer15Min,
        slowSeconds: config.limits.loginSlowSeconds,
      },
      metrics,
    ),
    readiness,
    gateway: hasRole(config, "gateway"),
    pipeline,
    heat: clusterHeat,
    moves,
  });
  http.on("request", app);

  let realtime: RealtimeHandle | null = null;
  if (io && hasRole(config, "realtime")) {
    io.attach(http);
    presence.start();
    pipeline.focus.start();
    realtime = attachRealtime(io, {
      tokens,
      rooms,
      messages,
      readState,
      presence,
      focus: pipeline.focus,
      typingLimiter: new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redis.prefix}rl:typing`,
        points: config.limits.typingPer10s,
        duration: 10,
        insuranceLimiter: new RateLimiterMemory({ points: config.limits.typingPer10s, duration: 10 }),
        rejectIfRedisNotReady: true,
      }),
      metrics,
      log: log.child({ mod: "realtime" }),
    });
  }

  clusterHeat.start();
  closers.push(
    () => clusterHeat.stop(),
    () => moves.stop(),
    () => pipeline.stop(),
    () => retention.stop(),
    () => directory.close(),
    () => Promise.allSettled(adapterClients.map((c) => c.quit())),
    () => redis.quit(),
    () => catalog.end(),
    () => shards.close(),
  );

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      ready = false;
      log.info("stopping: no new connections; draining sockets and requests");
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      await realtime?.beginShutdown().catch(() => {});
      if (io) {
        // Only this node's sockets: the adapter would otherwise disconnect the whole cluster's.
        io.local.disconnectSockets(true);
        // engine is only present when attached to the HTTP server (realtime role).
        (io.engine as { close(): void } | undefined)?.close();
      }
      http.closeIdleConnections();
      await closed;
      for (const close of closers) await close().catch((err: unknown) => log.warn({ err }, "close failed"));
      log.info("stopped");
    })();
    return stopping;
  };

  return {
    config,
    log,
    metrics,
    http,
    io,
    catalog,
    shards,
    directory,
    accounts,
    rooms,
    messages,
    readState,
    retention,
    pipeline,
    moves,
    readiness,
    stop,
    listen: () =>
      new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(config.port, config.host, () => {
          http.off("error", reject);
          ready = true;
          resolve((http.address() as AddressInfo).port);
        });
      }),
    url: () => {
      const a = http.address() as AddressInfo | null;
      const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
      return `http://${host}:${a?.port ?? config.port}`;
    },
  };
}
