// Composition of the event pipeline. Query services (search, notifications, focus)
// exist on every instance; the worker role additionally runs one outbox relay per
// shard, the search and notification consumer groups, the webhook dispatcher and the
// lag poller. With CHAT_KAFKA_BROKERS unset the bus is in-process (monolith without Kafka).
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Config } from "../config.js";
import type { Pool } from "../db/pool.js";
import type { EventSink } from "../fanout.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { NotificationConsumer } from "../notifications/consumer.js";
import { Focus } from "../notifications/focus.js";
import { NotificationService } from "../notifications/service.js";
import { WebhookDispatcher } from "../notifications/webhook.js";
import type { RoomService } from "../rooms/service.js";
import { SearchIndexer } from "../search/indexer.js";
import { SearchService } from "../search/service.js";
import type { RoomRouter } from "../sharding/router.js";
import type { ShardSet } from "../sharding/shards.js";
import { type EventBus, InProcessBus } from "./bus.js";
import { ConsumerRunner } from "./consumer.js";
import { KafkaBus } from "./kafka-bus.js";
import { createPipelineMetrics, type PipelineMetrics } from "./metrics.js";
import { OutboxRelay } from "./relay.js";

export interface PipelineDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  catalog: Pool;
  shards: ShardSet;
  router: RoomRouter;
  rooms: RoomService;
  redis: Redis;
  sink: EventSink;
}

/** What the HTTP layer serves from the pipeline. */
export interface PipelineHttp {
  search: SearchService;
  notifications: NotificationService;
}

export interface Pipeline extends PipelineHttp {
  bus: EventBus;
  focus: Focus;
  metrics: PipelineMetrics;
  relays: OutboxRelay[];
  runners: ConsumerRunner[];
  notifier: NotificationConsumer;
  webhooks: WebhookDispatcher;
  /** Starts the worker side (relays, consumers, webhooks); Kafka being down only delays it. */
  start(): void;
  /** Resolves once topics exist and every consumer group has joined. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/** Waits for p at most ms (errors ignored). */
async function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** How long consumers remember processed event ids. */
export const PROCESSED_EVENTS_KEEP_DAYS = 7;

export const topicName = (config: Config): string => `${config.pipeline.topicPrefix}events.v1`;
export const groupName = (config: Config, consumer: string): string =>
  `${config.pipeline.topicPrefix}${consumer}`;

export function createPipeline(d: PipelineDeps): Pipeline {
  const p = d.config.pipeline;
  const log = d.log.child({ mod: "pipeline" });
  const metrics = createPipelineMetrics(d.metrics.registry);
  const topic = topicName(d.config);
  const bus: EventBus =
    p.kafkaBrokers.length > 0
      ? new KafkaBus({
          brokers: p.kafkaBrokers,
          clientId: d.config.instanceId,
          topic,
          partitions: p.partitions,
          replicationFactor: p.replicationFactor,
          tls: p.tls,
          sasl: p.sasl,
          log: log.child({ bus: "kafka" }),
        })
      : new InProcessBus(topic, log.child({ bus: "in-process" }));
  // Said once at start: an instance that silently fell back to the in-process bus while
  // a Kafka idled was the reason (run-local.sh did not pass CHAT_KAFKA_BROKERS).
  if (p.kafkaBrokers.length > 0)
    log.info({ bus: "kafka", brokers: p.kafkaBrokers, topic }, "event bus: Kafka");
  else log.info({ bus: "in-process", topic }, "event bus: in-process (CHAT_KAFKA_BROKERS is empty)");
  const focus = new Focus(d.redis, d.config.redis.prefix, d.config.presenceTtlSeconds);
  const search = new SearchService(d.router, d.catalog, d.rooms, metrics);
  const notifications = new NotificationService(d.catalog, d.rooms);
  const notifier = new NotificationConsumer(d.catalog, d.router, focus, d.sink, metrics);
  const owner = `${d.config.instanceId}:${randomUUID().slice(0, 8)}`;
  const relays = d.shards.all().map(
    (s) =>
      new OutboxRelay(
        s.id,
        s.pool,
        bus,
        {
          owner,
          leaseMs: p.outboxLeaseMs,
          pollMs: p.outboxPollMs,
          batch: p.outboxBatch,
          retentionHours: p.outboxRetentionHours,
        },
        metrics,
        log.child({ relay: s.id }),
      ),
  );
  const runnerOpts = (name: string) => ({
    group: groupName(d.config, name),
    maxAttempts: p.consumerMaxAttempts,
    backoffMs: 100,
  });
  const runners = [new SearchIndexer(d.router), notifier].map(
    (c) => new ConsumerRunner(bus, c, runnerOpts(c.name), metrics, log.child({ consumer: c.name })),
  );
  const webhooks = new WebhookDispatcher(
    d.catalog,
    {
      maxAttempts: p.webhookMaxAttempts,
      backoffMs: p.webhookBackoffMs,
      timeoutMs: p.webhookTimeoutMs,
      pollMs: 250,
    },
    metrics,
    d.log.child({ mod: "webhooks" }),
  );

  let started: Promise<void> | null = null;
  let stopping = false;
  let lagTimer: NodeJS.Timeout | null = null;
  let cleanupTimer: NodeJS.Timeout | null = null;
  // Dedup records outlive any redelivery: the outbox keeps published rows for
  // outboxRetentionHours and Kafka its log for its retention (24 h locally).
  const cleanup = async (): Promise<void> => {
    const sql = `DELETE FROM processed_events WHERE processed_at < CURRENT_TIMESTAMP(3) - INTERVAL ? DAY
                  ORDER BY processed_at LIMIT 10000`;
    for (const pool of [d.catalog, ...d.shards.all().map((s) => s.pool)]) {
      await pool.query(sql, [PROCESSED_EVENTS_KEEP_DAYS]);
    }
  };

  const startConsumers = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await bus.start();
        for (const r of runners) await r.start();
        log.info({ bus: bus.kind, topic, groups: runners.map((r) => r.group) }, "event consumers started");
        return;
      } catch (err) {
        await Promise.allSettled(runners.map((r) => r.stop()));
        log.warn({ err, attempt }, "event bus not reachable yet; retrying");
        await new Promise((res) => setTimeout(res, Math.min(500 * attempt, 5000)));
      }
    }
  };

  return {
    bus,
    focus,
    metrics,
    search,
    notifications,
    relays,
    runners,
    notifier,
    webhooks,
    start() {
      if (started) return;
      // Kafka keeps what the relays publish until the groups join; the in-process bus
      // hands records only to groups already subscribed, so there relays start after.
      if (bus.kind === "kafka") for (const r of relays) r.start();
      started = startConsumers().then(() => {
        if (stopping) return;
        for (const r of relays) r.start();
      });
      webhooks.start();
      lagTimer = setInterval(() => {
        void bus
          .lag()
          .then((lag) => {
            for (const [group, n] of Object.entries(lag)) metrics.consumerLag.set({ group }, n);
          })
          .catch(() => {});
      }, 5000);
      lagTimer.unref();
      cleanupTimer = setInterval(() => {
        void cleanup().catch((err: unknown) => log.warn({ err }, "processed_events cleanup failed"));
      }, 600_000);
      cleanupTimer.unref();
    },
    ready: () => started ?? Promise.reject(new Error("the pipeline was not started")),
    async stop() {
      stopping = true;
      if (lagTimer) clearInterval(lagTimer);
      if (cleanupTimer) clearInterval(cleanupTimer);
      // Every step is bounded: with Kafka down, connects and disconnects can hang on
      // retries, and the process has one shutdown deadline for everything.
      await bounded(started ?? Promise.resolve(), 3000);
      await Promise.allSettled(relays.map((r) => r.stop()));
      await bounded(Promise.allSettled(runners.map((r) => r.stop())), 5000);
      await bounded(webhooks.stop(), 5000);
      notifier.flush();
      await bounded(bus.stop(), 3000);
      await focus.stop();
    },
  };
}
