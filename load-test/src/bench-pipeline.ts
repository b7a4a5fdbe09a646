// ChatCluster event-pipeline benchmark — prints the figures of issue 4's BENCHMARK section:
//
//   1. outbox → Kafka events/s through the platform's OutboxRelay (SELECT a batch →
//      publish → mark published, one shard), with the kafkajs bus (production) and with
//      the same relay on @platformatic/kafka, in the same run, alternating (A B A B) so
//      neither gets the warm caches. Also the bare producer rate (no database) of each.
//   2. p50/p99 send → searchable (the message's search_docs row is committed: the search
//      query reads exactly those tables) and send → notification delivered (a mention
//      arriving on the recipient's socket), at a fixed send rate, with Kafka and with the
//      in-process bus. "send" = the moment MessageService.send is called (the REST and
//      socket handlers call it), so the figures include the send transaction itself.
//
// Uses the shared local Kafka, MariaDB shards and Redis (.run/infra.env) with its own
// databases and topics (dropped at the end).
//
//   npx tsx load-test/src/bench-pipeline.ts [--events 30000] [--rate 100] [--seconds 10]
import { readFileSync } from "node:fs";
import { compatibilityPartitioner, Producer, stringSerializers } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import { io as ioClient } from "socket.io-client";
import { createChatApp } from "../../services/src/app.js";
import { migrate } from "../../services/src/db/migrate.js";
import { createPool, type Pool, type RowDataPacket } from "../../services/src/db/pool.js";
import { silentLogger } from "../../services/src/log.js";
import { createMetrics } from "../../services/src/metrics.js";
import type { BusRecord, EventBus } from "../../services/src/pipeline/bus.js";
import { KafkaBus } from "../../services/src/pipeline/kafka-bus.js";
import { createPipelineMetrics } from "../../services/src/pipeline/metrics.js";
import { OutboxRelay } from "../../services/src/pipeline/relay.js";
import { shardMigrations } from "../../services/src/schema.js";
import { benchConfig, createBenchDatabases, dropAllBenchDatabases, INFRA_ENV_PATH } from "./infra.js";
import { fmt, Samples, sleep } from "./stats.js";

// @platformatic/kafka targets Node 22+ (engines) and calls Promise.withResolvers, which
// Node 20 lacks: a spec-equivalent polyfill, for this benchmark only.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const argv = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const EVENTS = arg("events", 30_000);
const RATE = arg("rate", 100);
const SECONDS = arg("seconds", 10);
const PARTITIONS = 12;

const brokers = (() => {
  const m = /^CC_KAFKA_BROKERS=(.+)$/m.exec(readFileSync(INFRA_ENV_PATH, "utf8"));
  if (!m?.[1]) throw new Error(`${INFRA_ENV_PATH} lacks CC_KAFKA_BROKERS`);
  return m[1].trim().split(",");
})();
const runId = Math.random().toString(36).slice(2, 8);
const topicPrefix = `bench${runId}.`;
const kafka = new Kafka({ clientId: "bench-pipeline", brokers, logLevel: logLevel.NOTHING });

/** The relay's bus on @platformatic/kafka: same records, idempotent, acks=all, Java-compatible partitioner. */
class PlatformaticBus implements EventBus {
  readonly kind = "kafka" as const;
  readonly dlqTopic: string;
  readonly #producer: Producer<string, string, string, string>;
  constructor(readonly topic: string) {
    this.dlqTopic = `${topic}.dlq`;
    this.#producer = new Producer({
      clientId: "bench-platformatic",
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: -1,
      partitioner: compatibilityPartitioner,
      autocreateTopics: false,
    });
  }
  async start(): Promise<void> {}
  async publish(records: readonly BusRecord[]): Promise<void> {
    await this.#producer.send({
      messages: records.map((r) => ({
        topic: this.topic,
        key: r.key,
        value: r.value,
        headers: r.headers ?? {},
      })),
    });
  }
  async subscribe(): Promise<never> {
    throw new Error("not used by the benchmark");
  }
  async deadLetter(): Promise<void> {}
  async lag(): Promise<Record<string, number>> {
    return {};
  }
  async stop(): Promise<void> {
    await this.#producer.close();
  }
}

async function createTopics(names: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: names.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: -1 })),
  });
  await admin.disconnect();
}

async function deleteTopics(): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(topicPrefix));
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

function payload(roomId: number, seq: number): string {
  return JSON.stringify({
    id: `${roomId}:${seq}`,
    roomId,
    seq,
    senderId: 1,
    body: `benchmark message ${seq} 안녕하세요 여러분 with some ordinary text in it`,
    parentSeq: null,
    mentions: [],
    clientMsgId: `c${seq}`,
    createdAt: new Date().toISOString(),
    editedAt: null,
    deletedAt: null,
    reactions: [],
  });
}

async function seedOutbox(pool: Pool): Promise<void> {
  const rows: unknown[][] = [];
  for (let i = 1; i <= EVENTS; i++) {
    const roomId = 1 + (i % 100);
    rows.push([roomId, "message.created", payload(roomId, i)]);
    if (rows.length === 2000 || i === EVENTS) {
      await pool.query("INSERT INTO outbox (room_id, event_type, payload) VALUES ?", [rows.splice(0)]);
    }
  }
}

/** Relays the whole outbox once; returns events/s. */
async function relayRun(pool: Pool, bus: EventBus): Promise<number> {
  await pool.query("UPDATE outbox SET published_at = NULL");
  const metrics = createPipelineMetrics(createMetrics().registry);
  const relay = new OutboxRelay(
    0,
    pool,
    bus,
    { owner: `bench-${runId}`, leaseMs: 600_000, pollMs: 5, batch: 1000, retentionHours: 0 },
    metrics,
    silentLogger(),
  );
  const t0 = performance.now();
  relay.start();
  const deadline = Date.now() + 600_000;
  while ((await relay.refreshBacklog()) > 0) {
    if (Date.now() > deadline) throw new Error("relay did not drain in 10 minutes");
    await sleep(20);
  }
  const seconds = (performance.now() - t0) / 1000;
  await relay.stop();
  return EVENTS / seconds;
}

/** Bare producer rate: the same records in batches of 1,000, no database. */
async function producerRun(bus: EventBus): Promise<number> {
  const recs: BusRecord[] = [];
  for (let i = 1; i <= EVENTS; i++) {
    const roomId = 1 + (i % 100);
    recs.push({ key: String(roomId), value: payload(roomId, i), headers: { "event-id": `0:${i}` } });
  }
  const t0 = performance.now();
  for (let i = 0; i < recs.length; i += 1000) await bus.publish(recs.slice(i, i + 1000));
  return EVENTS / ((performance.now() - t0) / 1000);
}

async function throughput(): Promise<void> {
  console.log(
    `\n1. outbox → Kafka: ${EVENTS} events, 1 shard, batch 1,000, ${PARTITIONS} partitions, acks=all, idempotent`,
  );
  const dbs = await createBenchDatabases(1, "pl");
  const pool = createPool(dbs.shardUrls[0] as string, 4);
  try {
    await migrate(pool, shardMigrations, silentLogger());
    await seedOutbox(pool);
    const results: Record<string, { relay: number[]; producer: number[] }> = {
      kafkajs: { relay: [], producer: [] },
      "@platformatic/kafka": { relay: [], producer: [] },
    };
    let round = 0;
    for (const client of ["kafkajs", "@platformatic/kafka", "kafkajs", "@platformatic/kafka"] as const) {
      round++;
      const topic = `${topicPrefix}r${round}.events.v1`;
      await createTopics([topic, `${topic}.dlq`]);
      const bus: EventBus =
        client === "kafkajs"
          ? new KafkaBus({
              brokers,
              clientId: "bench-kafkajs",
              topic,
              partitions: PARTITIONS,
              replicationFactor: -1,
              log: silentLogger(),
            })
          : new PlatformaticBus(topic);
      await bus.start();
      await bus.publish([{ key: "0", value: "{}" }]); // connect + metadata outside the timing
      const relay = await relayRun(pool, bus);
      const producer = await producerRun(bus);
      await bus.stop();
      results[client]?.relay.push(relay);
      results[client]?.producer.push(producer);
      console.log(
        `   round ${round} ${client.padEnd(20)} relay ${fmt(relay)} events/s   bare producer ${fmt(producer)} events/s`,
      );
    }
    const best = (a: number[]) => Math.max(...a);
    const k = results.kafkajs as { relay: number[]; producer: number[] };
    const p = results["@platformatic/kafka"] as { relay: number[]; producer: number[] };
    console.log(
      `   best of 2: relay kafkajs ${fmt(best(k.relay))} vs @platformatic/kafka ${fmt(best(p.relay))} events/s ` +
        `(×${fmt(best(p.relay) / best(k.relay), 2)}); bare producer ${fmt(best(k.producer))} vs ${fmt(best(p.producer))} ` +
        `(×${fmt(best(p.producer) / best(k.producer), 2)})`,
    );
  } finally {
    await pool.end();
    await dbs.drop();
  }
}

async function latency(bus: "kafka" | "in-process"): Promise<void> {
  const total = Math.round(RATE * SECONDS);
  const dbs = await createBenchDatabases(1, "pq");
  const app = await createChatApp(
    benchConfig(dbs, {
      CHAT_ROLES: "gateway,realtime,worker",
      CHAT_KAFKA_BROKERS: bus === "kafka" ? brokers.join(",") : "",
      CHAT_KAFKA_TOPIC_PREFIX: `${topicPrefix}${bus === "kafka" ? "k" : "i"}.`,
      CHAT_KAFKA_PARTITIONS: String(PARTITIONS),
    }),
  );
  let socket: ReturnType<typeof ioClient> | null = null;
  try {
    const base = `http://127.0.0.1:${await app.listen()}`;
    await app.pipeline.ready();
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(base + path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return (await res.json()) as unknown;
    };
    const reg = (name: string) =>
      post("/v1/auth/register", { username: name, password: "correct horse battery" });
    const alice = (await reg(`alice${runId}`)) as { user: { id: number }; accessToken: string };
    const bob = (await reg(`bob${runId}`)) as { user: { id: number }; accessToken: string };
    const room = (await post("/v1/rooms", { kind: "public", name: "bench" }, alice.accessToken)) as {
      id: number;
    };
    await post(`/v1/rooms/${room.id}/join`, {}, bob.accessToken);
    const shardPool = app.shards.pool((await app.directory.lookup(room.id))?.shardId ?? 0);

    const sentAt = new Map<number, number>();
    const notified = new Samples(total);
    const searchable = new Samples(total);
    socket = ioClient(base, { auth: { token: bob.accessToken }, transports: ["websocket"], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket?.once("connect", () => resolve());
      socket?.once("connect_error", reject);
    });
    socket.on("notification:new", (n: { seq: number }) => {
      const t = sentAt.get(n.seq);
      if (t !== undefined) notified.add(performance.now() - t);
    });
    let indexedUpTo = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const [rows] = await shardPool.query<RowDataPacket[]>(
          "SELECT seq FROM search_docs WHERE room_id = ? AND seq > ? ORDER BY seq",
          [room.id, indexedUpTo],
        );
        const now = performance.now();
        for (const r of rows) {
          const seq = Number(r.seq);
          const t = sentAt.get(seq);
          if (t !== undefined) searchable.add(now - t);
          indexedUpTo = Math.max(indexedUpTo, seq);
        }
        await sleep(2);
      }
    })();
    const interval = 1000 / RATE;
    const start = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const t0 = performance.now();
      sends.push(
        app.messages
          .send(alice.user.id, { roomId: room.id, body: `@bob${runId} bench ${i} 여러분` }, "http")
          .then((r) => sentAt.set(r.message.seq, t0)),
      );
    }
    await Promise.all(sends);
    const deadline = Date.now() + 60_000;
    while ((notified.count < total || searchable.count < total) && Date.now() < deadline) await sleep(50);
    polling = false;
    await poller;
    // Where the time goes, from the shard's own timestamps (commit → relayed → indexed).
    const shardId = (await app.directory.lookup(room.id))?.shardId ?? 0;
    const [stages] = await shardPool.query<RowDataPacket[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, o.created_at, o.published_at) / 1000 AS relay_ms,
              TIMESTAMPDIFF(MICROSECOND, o.published_at, p.processed_at) / 1000 AS index_ms
         FROM outbox o JOIN processed_events p ON p.consumer = 'search' AND p.event_id = CONCAT(?, ':', o.id)
        WHERE o.room_id = ? AND o.event_type = 'message.created'`,
      [shardId, room.id],
    );
    const relayMs = new Samples(stages.length);
    const indexMs = new Samples(stages.length);
    for (const r of stages) {
      relayMs.add(Number(r.relay_ms));
      indexMs.add(Number(r.index_ms));
    }
    const n = notified.summary();
    const s = searchable.summary();
    const rs = relayMs.summary();
    const is = indexMs.summary();
    // (In-process, rows are marked published only after the consumers ran: no split.)
    if (bus === "kafka")
      console.log(
        `   ${"".padEnd(10)} stages: commit→relayed p50 ${fmt(rs.p50, 1)} / p99 ${fmt(rs.p99, 1)} ms, ` +
          `relayed→indexed p50 ${fmt(is.p50, 1)} / p99 ${fmt(is.p99, 1)} ms`,
      );
    console.log(
      `   ${bus.padEnd(10)} send→searchable p50 ${fmt(s.p50, 1)} ms  p99 ${fmt(s.p99, 1)} ms (${searchable.count}/${total})` +
        `   send→notification p50 ${fmt(n.p50, 1)} ms  p99 ${fmt(n.p99, 1)} ms (${notified.count}/${total})`,
    );
  } finally {
    socket?.close();
    await app.stop();
    await dbs.drop();
  }
}

async function main(): Promise<void> {
  console.log(`ChatCluster pipeline benchmark (run ${runId}) — Kafka ${brokers.join(",")}`);
  try {
    await throughput();
    console.log(
      `\n2. latency at ${RATE} msgs/s for ${SECONDS} s, one room, each message @mentions the recipient`,
    );
    await latency("kafka");
    await latency("in-process");
  } finally {
    await deleteTopics().catch(() => {});
    await dropAllBenchDatabases();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
