// Proof: the local KRaft Kafka takes an explicitly created topic, keeps per-key order, and a consumer
// group of two members splits the partitions so that every message arrives exactly once.
import { randomBytes } from "node:crypto";
import {
  type Admin,
  type Consumer,
  Kafka,
  type logCreator,
  logLevel,
  Partitioners,
  type Producer,
} from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, loadInfraEnv } from "./infra-env.js";

const env = loadInfraEnv();
const suffix = randomBytes(4).toString("hex");
const topic = `proof-${suffix}`;
const groupId = `proof-group-${suffix}`;
const PARTITIONS = 4;
const KEYS = 16;
const PER_KEY = 25;

// kafkajs logs every retried protocol error (coordinator loading, "group is rebalancing") at ERROR;
// those are normal while a group forms. Keep real warnings and errors, drop that chatter.
const quietLogs: logCreator =
  () =>
  ({ namespace, level, log }) => {
    if (level > logLevel.WARN) return;
    const { message, timestamp: _t, logger: _l, ...extra } = log;
    if (namespace === "Connection" || /rebalancing|coordinator is (loading|not available)/i.test(message))
      return;
    console.warn(`kafkajs ${logLevel[level]} [${namespace}] ${message}`, extra);
  };

interface Received {
  member: string;
  partition: number;
  key: string;
  n: number;
}

describe("kafka", () => {
  const kafka = new Kafka({
    clientId: `proof-${suffix}`,
    brokers: env.kafkaBrokers,
    logLevel: logLevel.WARN,
    logCreator: quietLogs,
    connectionTimeout: 5_000,
    // A missing broker fails within seconds instead of retrying for minutes.
    retry: { retries: 3, initialRetryTime: 200 },
  });
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const received: Received[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    // Explicit partitioner: same hashing as the Java client's legacy default, and no kafkajs warning.
    // One request in flight keeps the produce order even across a retry.
    producer = kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await producer?.disconnect();
    if (admin) {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it("has automatic topic creation off and creates a 4-partition topic on request", async () => {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    expect(created).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(PARTITIONS);
    const config = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 4 /* BROKER */, name: "1", configNames: ["auto.create.topics.enable"] }],
    });
    expect(config.resources[0]?.configEntries[0]?.configValue).toBe("false");
  });

  it("delivers keyed messages exactly once, in per-key order, across a two-member group", async () => {
    for (const member of ["a", "b"]) {
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({
            member,
            partition,
            key: message.key?.toString() ?? "",
            n: Number(message.value?.toString()),
          });
        },
      });
    }
    // Produce only once both members hold partitions, so no rebalance happens mid-stream.
    await eventually(
      "a stable group with two members sharing the partitions",
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const g = groups[0];
        if (g?.state !== "Stable" || g.members.length !== 2) return undefined;
        return g.members.every((m) => m.memberAssignment.length > 0) ? true : undefined;
      },
      60_000,
      250,
    );

    const messages = [];
    for (let n = 0; n < PER_KEY; n++) {
      for (let k = 0; k < KEYS; k++) messages.push({ key: `room-${k}`, value: String(n) });
    }
    await producer.send({ topic, acks: -1, messages });
    const total = KEYS * PER_KEY;
    await eventually(
      "all messages consumed",
      async () => (received.length >= total ? true : undefined),
      60_000,
    );
    // Give a duplicate a moment to show up before counting.
    await new Promise((r) => setTimeout(r, 1_000));

    expect(received).toHaveLength(total);
    const seen = new Set(received.map((r) => `${r.key}/${r.n}`));
    expect(seen.size).toBe(total);
    const byKey = new Map<string, Received[]>();
    for (const r of received) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    expect(byKey.size).toBe(KEYS);
    for (const [key, list] of byKey) {
      expect(
        list.map((r) => r.n),
        `order of ${key}`,
      ).toEqual(Array.from({ length: PER_KEY }, (_, i) => i));
      expect(new Set(list.map((r) => r.partition)).size, `${key} stays on one partition`).toBe(1);
    }
    // Both members did real work, on disjoint partitions, covering all of them.
    const partitionsOf = (m: string) =>
      new Set(received.filter((r) => r.member === m).map((r) => r.partition));
    const a = partitionsOf("a");
    const b = partitionsOf("b");
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    expect([...a].filter((p) => b.has(p))).toEqual([]);
    expect(a.size + b.size).toBe(PARTITIONS);
  });
});
