// Monolith without Kafka: the same relay and consumers run on the in-process bus.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import type { RowDataPacket } from "../../src/db/pool.js";
import type { InProcessBus } from "../../src/pipeline/bus.js";
import { toRecord } from "../../src/pipeline/relay.js";
import { reindexRoom } from "../../src/search/indexer.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { registerUser, type TestUser } from "../helpers/client.js";
import { makeUntil } from "../helpers/pipeline.js";

let cluster: TestCluster;
let app: ChatApp;
let alice: TestUser;
let bob: TestUser;
let roomId: number;

const until = makeUntil(20_000, 50);

beforeAll(async () => {
  cluster = await createTestCluster();
  app = await cluster.start(); // no CHAT_KAFKA_BROKERS
  await app.pipeline.ready();
  [alice, bob] = await Promise.all([registerUser(app.url(), "alice"), registerUser(app.url(), "bob")]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "local" })).body.id;
  await bob.http.post(`/v1/rooms/${roomId}/join`);
});
afterAll(() => cluster?.close());

describe("event pipeline on the in-process bus", () => {
  it("uses the in-process bus when no Kafka is configured", () => {
    expect(app.pipeline.bus.kind).toBe("in-process");
  });

  it("indexes and notifies", async () => {
    const m = (
      await alice.http.post(`/v1/rooms/${roomId}/messages`, { body: `안녕하세요 여러분 @${bob.username}` })
    ).body;
    const hit = await until("search hit", async () => {
      const r = await bob.http.get(`/v1/search?q=${encodeURIComponent("여러분")}`);
      return r.body.results[0];
    });
    expect(hit).toMatchObject({ id: m.id, roomId });
    const n = await until(
      "notification",
      async () => (await bob.http.get("/v1/notifications")).body.notifications[0],
    );
    expect(n).toMatchObject({ kind: "mention", seq: m.seq });
  });

  it("has no second effect for a replayed event", async () => {
    const route = await app.directory.lookup(roomId);
    const shard = route?.shardId ?? 0;
    const [rows] = await app.shards
      .pool(shard)
      .query<RowDataPacket[]>(
        "SELECT id, room_id, event_type, payload, created_at FROM outbox WHERE room_id = ? AND event_type = 'message.created' ORDER BY id LIMIT 1",
        [roomId],
      );
    const rec = toRecord(shard, rows[0] as RowDataPacket);
    const counter = async () => {
      const [r] = await app.catalog.query<RowDataPacket[]>(
        "SELECT mentions FROM notification_unread WHERE user_id = ? AND room_id = ?",
        [bob.id, roomId],
      );
      return Number(r[0]?.mentions);
    };
    const before = await counter();
    await app.pipeline.bus.publish([rec, rec]);
    expect(await counter()).toBe(before);
    const [docs] = await app.shards
      .pool(shard)
      .query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM search_docs WHERE room_id = ?", [roomId]);
    expect(Number(docs[0]?.n)).toBe(1);
  });

  it("rebuilds a room's index from its messages (room moves)", async () => {
    const route = await app.directory.lookup(roomId);
    const pool = app.shards.pool(route?.shardId ?? 0);
    await pool.query("DELETE FROM search_postings WHERE room_id = ?", [roomId]);
    expect((await bob.http.get(`/v1/search?q=${encodeURIComponent("여러분")}`)).body.results).toEqual([]);
    expect(await reindexRoom(pool, roomId, 1)).toBeGreaterThanOrEqual(1);
    const r = await bob.http.get(`/v1/search?q=${encodeURIComponent("여러분")}`);
    expect(r.body.results.length).toBe(1);
  });

  it("dead-letters a poison event and keeps going", async () => {
    const route = await app.directory.lookup(roomId);
    await app.shards
      .pool(route?.shardId ?? 0)
      .query("INSERT INTO outbox (room_id, event_type, payload) VALUES (?, 'message.edited', 'not json')", [
        roomId,
      ]);
    const m = (await alice.http.post(`/v1/rooms/${roomId}/messages`, { body: "still flowing capybara" }))
      .body;
    await until("search hit after the poison event", async () => {
      const r = await bob.http.get("/v1/search?q=capybara");
      return r.body.results[0]?.id === m.id;
    });
    const dlq = (app.pipeline.bus as InProcessBus).deadLetters;
    expect(dlq.length).toBe(2);
    expect(dlq[0]?.record.headers?.["x-dlq-error"]).toMatch(/bad message.edited data/);
  });
});
