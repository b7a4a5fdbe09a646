// Kafka goes away while clients keep sending, then comes back: the outbox keeps
// everything (backlog grows), every event is delivered, each has exactly one effect,
// and each room's order is kept. Uses a private broker (the shared one is never
// stopped), started and stopped by this file.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import type { RowDataPacket } from "../../src/db/pool.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { registerUser, sleep, type TestUser } from "../helpers/client.js";
import { OwnKafka, readTopic } from "../helpers/kafka.js";
import { makeUntil } from "../helpers/pipeline.js";

const prefix = `ccr${randomBytes(3).toString("hex")}.`;
let kafka: OwnKafka;
let cluster: TestCluster;
let app: ChatApp;
let alice: TestUser;
let bob: TestUser;
const rooms: number[] = [];

const until = makeUntil(60_000, 200);

beforeAll(async () => {
  kafka = await OwnKafka.create();
  await kafka.start();
  cluster = await createTestCluster();
  app = await cluster.start({
    CHAT_KAFKA_BROKERS: kafka.brokers,
    CHAT_KAFKA_TOPIC_PREFIX: prefix,
    CHAT_KAFKA_PARTITIONS: "3",
  });
  await app.pipeline.ready();
  [alice, bob] = await Promise.all([registerUser(app.url(), "alice"), registerUser(app.url(), "bob")]);
  for (const name of ["r1", "r2", "r3"]) {
    const id = (await alice.http.post("/v1/rooms", { kind: "public", name })).body.id as number;
    await bob.http.post(`/v1/rooms/${id}/join`);
    rooms.push(id);
  }
}, 240_000);

afterAll(async () => {
  await cluster?.close();
  await kafka?.destroy();
});

describe("Kafka stop/start while clients keep sending", () => {
  it("delivers every event once in effect, in per-room order, after Kafka returns", async () => {
    let sending = true;
    const sent = new Map<number, number[]>(rooms.map((r) => [r, []]));
    const senders = rooms.map(async (roomId) => {
      for (let i = 0; sending; i++) {
        const r = await alice.http.post(`/v1/rooms/${roomId}/messages`, {
          body: `@${bob.username} tick ${i} wombat`,
          clientMsgId: `c-${roomId}-${i}`,
        });
        expect(r.status).toBe(201);
        sent.get(roomId)?.push(r.body.seq as number);
        await sleep(15);
      }
    });

    await sleep(1500);
    await kafka.stop();
    const stoppedAt = Date.now();
    // Sends keep succeeding; the backlog grows on the shards.
    const backlog = await until("a backlog while Kafka is down", async () => {
      if (Date.now() - stoppedAt < 3000) return null;
      let n = 0;
      for (const relay of app.pipeline.relays) n += await relay.refreshBacklog();
      return n > 20 ? n : null;
    });
    expect(backlog).toBeGreaterThan(20);
    const metrics = await (await fetch(`${app.url()}/metrics`)).text();
    expect(metrics).toMatch(/^chat_outbox_backlog\{shard="\d+"\} [1-9]\d*$/m);

    await kafka.start();
    await sleep(2000);
    sending = false;
    await Promise.all(senders);
    const total = [...sent.values()].reduce((a, s) => a + s.length, 0);

    // Drained: nothing left in any outbox.
    await until("the outbox to drain", async () => {
      let n = 0;
      for (const relay of app.pipeline.relays) n += await relay.refreshBacklog();
      return n === 0;
    });

    // Replay: 30 already-delivered events of each shard are relayed again (as after a
    // relay crash between publish and mark); consumers must skip them.
    let replayed = 0;
    for (const s of app.shards.all()) {
      const [res] = await s.pool.query(
        "UPDATE outbox SET published_at = NULL WHERE room_id IN (?) AND event_type = 'message.created' ORDER BY id LIMIT 30",
        [rooms],
      );
      replayed += (res as { affectedRows: number }).affectedRows;
    }
    expect(replayed).toBeGreaterThan(0);
    await until("the replay to drain", async () => {
      let n = 0;
      for (const relay of app.pipeline.relays) n += await relay.refreshBacklog();
      return n === 0;
    });
    await sleep(2000);

    // Exactly one effect per message: the mention counter is bumped once per processed
    // message (a replay would bump it twice), and one notification per message.
    await until("every mention to be counted", async () => {
      const [rows] = await app.catalog.query<RowDataPacket[]>(
        "SELECT COALESCE(SUM(mentions), 0) AS n FROM notification_unread WHERE user_id = ?",
        [bob.id],
      );
      return Number(rows[0]?.n) >= total;
    });
    await sleep(1000);
    const [[counter], [notes]] = await Promise.all([
      app.catalog.query<RowDataPacket[]>(
        "SELECT COALESCE(SUM(mentions), 0) AS n FROM notification_unread WHERE user_id = ?",
        [bob.id],
      ),
      app.catalog.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM notifications WHERE user_id = ?", [
        bob.id,
      ]),
    ]);
    expect(Number(counter[0]?.n)).toBe(total);
    expect(Number(notes[0]?.n)).toBe(total);
    // Every message indexed exactly once.
    let indexed = 0;
    for (const s of app.shards.all()) {
      const [rows] = await s.pool.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM search_docs WHERE room_id IN (?)",
        [rooms],
      );
      indexed += Number(rows[0]?.n);
    }
    expect(indexed).toBe(total);

    // Every catch-up batch took the one-transaction path (no fallback to one by one).
    const after = await (await fetch(`${app.url()}/metrics`)).text();
    expect(after).not.toMatch(/outcome="batch_failed"/);
    expect(after).toMatch(/chat_consumer_events_total\{group="[^"]+notifications",outcome="processed"\} \d+/);

    // On the topic: every message event is there; per room, first occurrences are in seq order.
    const records = await readTopic(kafka.brokers, `${prefix}events.v1`);
    const seen = new Map<number, number[]>();
    const ids = new Set<string>();
    for (const r of records) {
      const e = JSON.parse(r.value) as { id: string; type: string; roomId: number; data: { seq: number } };
      if (e.type !== "message.created" || ids.has(e.id)) continue;
      ids.add(e.id);
      seen.set(e.roomId, [...(seen.get(e.roomId) ?? []), e.data.seq]);
    }
    for (const roomId of rooms) {
      const expected = [...(sent.get(roomId) ?? [])].sort((a, b) => a - b);
      expect(seen.get(roomId)).toEqual(expected);
    }
    const duplicates = records.length - new Set(records.map((r) => r.headers["event-id"])).size;
    expect(duplicates).toBeGreaterThanOrEqual(replayed);
    console.log(
      `kafka restart: ${total} messages, ${records.length} records on the topic, ${duplicates} duplicate deliveries (${replayed} replayed on purpose)`,
    );
  });

  it("shuts down within the deadline while Kafka is down", async () => {
    await kafka.stop();
    const r = await alice.http.post(`/v1/rooms/${rooms[0]}/messages`, { body: "sent while Kafka is gone" });
    expect(r.status).toBe(201);
    await sleep(500); // the relay is now stuck retrying a publish
    const t0 = Date.now();
    await app.stop();
    expect(Date.now() - t0).toBeLessThan(12_000);
  });
});
