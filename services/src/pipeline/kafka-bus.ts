// EventBus on Kafka (kafkajs). The producer is idempotent (one request in flight,
// acks=all) and records are keyed by room id, so the default (Java-compatible murmur2)
// partitioner keeps each room in one partition, in publish order. A producer that
// failed is discarded and a fresh one is made on the next publish: after a broker
// restart a new producer id is cleaner than a stale sequence state.
import {
  type Admin,
  type Consumer,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type { Logger } from "../log.js";
import {
  type BusRecord,
  type DeadLetterInfo,
  type DeliveredRecord,
  dlqHeaders,
  type EventBus,
  type RecordHandler,
  type Subscription,
} from "./bus.js";

/** Most records handed to a consumer at once (one transaction per target database). */
const MAX_BATCH = 200;

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  topic: string;
  partitions: number;
  /** -1 = the broker's default.replication.factor. */
  replicationFactor: number;
  tls?: boolean;
  sasl?: {
    mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
    username: string;
    password: string;
  } | null;
  log: Logger;
}

const toPino = (log: Logger) => () => (entry: LogEntry) => {
  const { message, ...extra } = entry.log;
  const fields = { ns: entry.namespace, ...extra };
  // kafkajs logs every reconnect attempt as an error; the relay and consumers report
  // what matters (backlog, lag, failures) themselves.
  if (entry.level === logLevel.ERROR || entry.level === logLevel.WARN) log.debug(fields, message);
};

function saslOptions(s: NonNullable<KafkaBusOptions["sasl"]>): SASLOptions {
  const { username, password } = s;
  if (s.mechanism === "PLAIN") return { mechanism: "plain", username, password };
  if (s.mechanism === "SCRAM-SHA-256") return { mechanism: "scram-sha-256", username, password };
  return { mechanism: "scram-sha-512", username, password };
}

export class KafkaBus implements EventBus {
  readonly kind = "kafka" as const;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly #kafka: Kafka;
  #producer: Promise<Producer> | null = null;
  #admin: Promise<Admin> | null = null;
  #topicsReady: Promise<void> | null = null;
  readonly #consumers = new Map<string, { consumer: Consumer; stopped: boolean }>();
  #stopped = false;

  constructor(private readonly opts: KafkaBusOptions) {
    this.topic = opts.topic;
    this.dlqTopic = `${opts.topic}.dlq`;
    this.#kafka = new Kafka({
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 4 },
      logLevel: logLevel.WARN,
      logCreator: toPino(opts.log),
      ssl: opts.tls ?? false,
      ...(opts.sasl ? { sasl: saslOptions(opts.sasl) } : {}),
    });
  }

  get kafka(): Kafka {
    return this.#kafka;
  }

  async #adminClient(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })().catch((err: unknown) => {
      this.#admin = null;
      throw err;
    });
    return this.#admin;
  }

  /** Creates the events topic and its DLQ if missing; memoized once it succeeded. */
  ensureTopics(): Promise<void> {
    this.#topicsReady ??= (async () => {
      const admin = await this.#adminClient();
      const existing = new Set(await admin.listTopics());
      const missing = [this.topic, this.dlqTopic].filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t,
            // 0 → -1: the broker's num.partitions.
            numPartitions: this.opts.partitions > 0 ? this.opts.partitions : -1,
            replicationFactor: this.opts.replicationFactor,
          })),
        });
        this.opts.log.info({ topics: missing, partitions: this.opts.partitions }, "created topics");
      }
      const meta = await admin.fetchTopicMetadata({ topics: [this.topic] });
      const have = meta.topics[0]?.partitions.length ?? 0;
      if (this.opts.partitions > 0 && have !== this.opts.partitions) {
        // Adding partitions would move rooms to other partitions and break per-room
        // order for events in flight, so it is never done automatically.
        this.opts.log.warn(
          { topic: this.topic, partitions: have, configured: this.opts.partitions },
          "topic exists with a different partition count; keeping it",
        );
      }
    })().catch((err: unknown) => {
      this.#topicsReady = null;
      throw err;
    });
    return this.#topicsReady;
  }

  async start(): Promise<void> {
    await this.ensureTopics();
  }

  #producerClient(): Promise<Producer> {
    this.#producer ??= (async () => {
      const p = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 200, maxRetryTime: 2000, retries: 4 },
      });
      await p.connect();
      return p;
    })().catch((err: unknown) => {
      this.#producer = null;
      throw err;
    });
    return this.#producer;
  }

  async #send(topic: string, records: readonly BusRecord[]): Promise<void> {
    if (this.#stopped) throw new Error("the bus is stopped");
    await this.ensureTopics();
    const current = this.#producerClient();
    const producer = await current;
    try {
      await producer.send({
        topic,
        acks: -1,
        timeout: 10_000,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers ?? {} })),
      });
    } catch (err) {
      if (this.#producer === current) {
        this.#producer = null;
        void producer.disconnect().catch(() => {});
      }
      throw err;
    }
  }

  publish(records: readonly BusRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.#send(this.topic, records);
  }

  async deadLetter(record: DeliveredRecord, info: DeadLetterInfo): Promise<void> {
    await this.#send(this.dlqTopic, [
      { key: record.key, value: record.value, headers: dlqHeaders(record, info) },
    ]);
    this.opts.log.error(
      { group: info.group, error: info.error, partition: record.partition, offset: record.offset },
      "event dead-lettered",
    );
  }

  async subscribe(group: string, handler: RecordHandler): Promise<Subscription> {
    const entry = { consumer: await this.#startConsumer(group, handler), stopped: false };
    this.#consumers.set(group, entry);
    return {
      group,
      stop: async () => {
        entry.stopped = true;
        this.#consumers.delete(group);
        await entry.consumer.disconnect().catch(() => {});
      },
    };
  }

  async #startConsumer(group: string, handler: RecordHandler): Promise<Consumer> {
    await this.ensureTopics();
    const consumer = this.#kafka.consumer({
      groupId: group,
      allowAutoTopicCreation: false,
      sessionTimeout: 20_000,
      heartbeatInterval: 2000,
      maxWaitTimeInMs: 250,
      retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 8 },
    });
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload as { error: Error; restart: boolean };
      this.opts.log.warn({ group, err: error, restart }, "consumer crashed");
      if (restart) return;
      // kafkajs gave up (a non-retriable error): start a fresh consumer after a pause.
      const entry = this.#consumers.get(group);
      if (!entry || entry.stopped || this.#stopped) return;
      setTimeout(() => {
        if (entry.stopped || this.#stopped) return;
        void this.#startConsumer(group, handler)
          .then((c) => {
            if (entry.stopped || this.#stopped) void c.disconnect();
            else entry.consumer = c;
          })
          .catch((err: unknown) => this.opts.log.error({ group, err }, "consumer restart failed"));
      }, 2000).unref();
    });
    await consumer.connect();
    // A new group starts at the beginning: nothing published before its first start is skipped.
    await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const records: DeliveredRecord[] = batch.messages.map((message) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
          }
          return {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString() ?? "",
            value: message.value?.toString() ?? "",
            headers,
          };
        });
        // Chunks bound one transaction's size; offsets advance only past handled chunks.
        for (let i = 0; i < records.length; i += MAX_BATCH) {
          if (!isRunning() || isStale()) return;
          const chunk = records.slice(i, i + MAX_BATCH);
          await handler(chunk, () => heartbeat().catch(() => {}));
          resolveOffset((chunk.at(-1) as DeliveredRecord).offset);
          await heartbeat();
        }
      },
    });
    return consumer;
  }

  /** Per group: Σ over partitions of (high watermark − committed offset). */
  async lag(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    if (this.#consumers.size === 0) return out;
    const admin = await this.#adminClient();
    const high = await admin.fetchTopicOffsets(this.topic);
    for (const group of this.#consumers.keys()) {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [this.topic] });
      const parts = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
      );
      let lag = 0;
      for (const p of high) {
        const c = parts.get(p.partition) ?? -1;
        const start = c < 0 ? Number(p.low) : c;
        lag += Math.max(0, Number(p.high) - start);
      }
      out[group] = lag;
    }
    return out;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#consumers.values()].map((c) => c.consumer.disconnect()));
    this.#consumers.clear();
    const [p, a] = [this.#producer, this.#admin];
    this.#producer = null;
    this.#admin = null;
    await Promise.allSettled([p?.then((x) => x.disconnect()), a?.then((x) => x.disconnect())]);
  }
}
