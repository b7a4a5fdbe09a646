// Two instances, each running the outbox relay of every shard, at once: the lease
// lets one publish per shard; the topic ends up with every event exactly once and
// each room's events in seq order, also across a hand-over of the lease.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient, registerUser, sleep, type TestUser } from "../helpers/client.js";
import { deleteTopics, readTopic, sharedKafkaBrokers } from "../helpers/kafka.js";

const brokers = sharedKafkaBrokers();
const prefix = `ccl${randomBytes(3).toString("hex")}.`;
let cluster: TestCluster;
let a: ChatApp;
let b: ChatApp;
let alice: TestUser;
const rooms: number[] = [];

beforeAll(async () => {
  cluster = await createTestCluster();
  const env = {
    CHAT_KAFKA_BROKERS: brokers,
    CHAT_KAFKA_TOPIC_PREFIX: prefix,
    CHAT_KAFKA_PARTITIONS: "4",
    CHAT_OUTBOX_LEASE_MS: "2000",
    CHAT_OUTBOX_BATCH: "20",
  };
  a = await cluster.start(env);
  b = await cluster.start(env);
  await Promise.all([a.pipeline.ready(), b.pipeline.ready()]);
  alice = await registerUser(a.url(), "alice");
  for (let i = 0; i < 4; i++) {
    rooms.push(
      (await alice.http.post("/v1/rooms", { kind: "public", name: `relay-${i}` })).body.id as number,
    );
  }
});
afterAll(async () => {
  await cluster?.close();
  await deleteTopics(brokers, prefix);
});

describe("two relay instances at once", () => {
  it("publish every event once and keep each room's order, across a lease hand-over", async () => {
    const viaA = new HttpClient(a.url(), alice.token);
    const viaB = new HttpClient(b.url(), alice.token);
    let sending = true;
    let overlap = 0;
    const watcher = (async () => {
      while (sending) {
        for (let s = 0; s < a.pipeline.relays.length; s++) {
          if (a.pipeline.relays[s]?.holdsLease && b.pipeline.relays[s]?.holdsLease) overlap++;
        }
        await sleep(20);
      }
    })();
    const counts = new Map<number, number>();
    const senders = rooms.map(async (roomId, k) => {
      for (let i = 0; sending; i++) {
        // Both instances take sends, so both shards' outboxes fill from both.
        const client = (i + k) % 2 === 0 ? viaA : viaB;
        const r = await client.post(`/v1/rooms/${roomId}/messages`, { body: `m ${i}` });
        expect(r.status).toBe(201);
        counts.set(roomId, (counts.get(roomId) ?? 0) + 1);
      }
    });
    await sleep(3000);
    // Hand-over: whichever instance relays shard 0 stops relaying; the other takes over.
    const holder = a.pipeline.relays[0]?.holdsLease ? a : b;
    const other = holder === a ? b : a;
    await Promise.all(holder.pipeline.relays.map((r) => r.stop()));
    await sleep(3000);
    sending = false;
    await Promise.all(senders);
    await watcher;
    const total = [...counts.values()].reduce((x, y) => x + y, 0);
    const deadline = Date.now() + 30_000;
    for (;;) {
      let n = 0;
      for (const r of other.pipeline.relays) n += await r.refreshBacklog();
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`backlog ${n} did not drain`);
      await sleep(200);
    }
    expect(other.pipeline.relays.every((r) => r.holdsLease)).toBe(true);
    expect(overlap).toBe(0);

    const records = await readTopic(brokers, `${prefix}events.v1`);
    const ids = records.map((r) => r.headers["event-id"]);
    expect(new Set(ids).size).toBe(ids.length); // no duplicate
    const perRoom = new Map<number, number[]>();
    for (const r of records) {
      const e = JSON.parse(r.value) as { type: string; roomId: number; data: { seq: number } };
      if (e.type === "message.created") perRoom.set(e.roomId, [...(perRoom.get(e.roomId) ?? []), e.data.seq]);
    }
    for (const roomId of rooms) {
      const n = counts.get(roomId) ?? 0;
      expect(perRoom.get(roomId)).toEqual(Array.from({ length: n }, (_, i) => i + 1)); // no gap, no reorder
    }
    console.log(`two relays: ${total} messages, ${records.length} records, lease overlap samples ${overlap}`);
  });
});
