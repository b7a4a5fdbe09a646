// Directory, epoch fence and retention against real shards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { listPartitions, maintainPartitions } from "../../src/db/partitions.js";
import { silentLogger } from "../../src/log.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { call, connectSocket, nextEvent, registerUser, sleep, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let a: ChatApp;
let b: ChatApp;
let user: TestUser;

beforeAll(async () => {
  cluster = await createTestCluster();
  a = await cluster.start();
  b = await cluster.start();
  user = await registerUser(a.url());
});
afterAll(() => cluster?.close());

const staleCount = async (app: ChatApp) =>
  (await app.metrics.staleRoutes.get()).values.reduce((n, v) => n + v.value, 0);

describe("sharding", () => {
  it("re-routes a write when the epoch changed under a cached route (the move fence)", async () => {
    const roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "fence" })).body.id as number;
    const send = (app: ChatApp, body: string) =>
      fetch(`${app.url()}/v1/rooms/${roomId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ body }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { seq: number } }));
    expect((await send(a, "one")).body.seq).toBe(1);
    expect((await send(b, "two")).body.seq).toBe(2);
    const route = (await a.directory.lookup(roomId))!;
    expect(b.directory.cache.get(roomId)?.epoch).toBe(1);

    // Move the room to the other shard the way the rebalancer will: copy, flip the
    // directory epoch, remove the source — but send no notice, so b's cache is stale.
    const src = a.shards.pool(route.shardId);
    const dstId = route.shardId === 0 ? 1 : 0;
    const dst = a.shards.pool(dstId);
    for (const table of ["rooms", "room_members", "messages", "read_markers", "reactions", "message_dedup"]) {
      const key = table === "rooms" ? "id" : "room_id";
      const [rows] = await src.query(`SELECT * FROM ${table} WHERE ${key} = ?`, [roomId]);
      for (const row of rows as Record<string, unknown>[]) {
        await dst.query(`INSERT INTO ${table} SET ?`, [table === "rooms" ? { ...row, epoch: 2 } : row]);
      }
    }
    await a.catalog.query("UPDATE room_directory SET shard_id = ?, epoch = 2 WHERE room_id = ?", [
      dstId,
      roomId,
    ]);
    for (const table of ["rooms", "room_members", "messages"]) {
      await src.query(`DELETE FROM ${table} WHERE ${table === "rooms" ? "id" : "room_id"} = ?`, [roomId]);
    }

    const before = await staleCount(b);
    const third = await send(b, "three");
    expect(third.status).toBe(201);
    expect(third.body.seq).toBe(3);
    expect(await staleCount(b)).toBe(before + 1);
    expect(b.directory.cache.get(roomId)).toMatchObject({ shardId: dstId, epoch: 2 });
    const hist = await user.http.get(`/v1/rooms/${roomId}/messages`);
    expect(hist.body.messages.map((m: { body: string }) => m.body)).toEqual(["one", "two", "three"]);
  });

  it("refuses writes with a stale epoch on the same shard, then retries with the fresh one", async () => {
    const roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "fence2" })).body.id as number;
    await user.http.post(`/v1/rooms/${roomId}/messages`, { body: "x" });
    const route = (await a.directory.lookup(roomId))!;
    await a.shards.pool(route.shardId).query("UPDATE rooms SET epoch = 5 WHERE id = ?", [roomId]);
    await a.catalog.query("UPDATE room_directory SET epoch = 5 WHERE room_id = ?", [roomId]);
    expect(a.directory.cache.get(roomId)?.epoch).toBe(1);
    const r = await user.http.post(`/v1/rooms/${roomId}/messages`, { body: "y" });
    expect(r.status).toBe(201);
    expect(r.body.seq).toBe(2);
    // Fenced room writes other than sends (read markers) re-route the same way.
    await a.shards.pool(route.shardId).query("UPDATE rooms SET epoch = 6 WHERE id = ?", [roomId]);
    await a.catalog.query("UPDATE room_directory SET epoch = 6 WHERE room_id = ?", [roomId]);
    expect((await user.http.put(`/v1/rooms/${roomId}/read`, { seq: 2 })).body).toEqual({
      lastReadSeq: 2,
      unread: 0,
    });
  });

  it("answers 503 (retryable) while a room's shard row is fenced by a move in flight", async () => {
    const roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "fenced" })).body.id as number;
    const route = (await a.directory.lookup(roomId))!;
    // Shard row advanced but the directory not yet flipped: every route is stale.
    await a.shards.pool(route.shardId).query("UPDATE rooms SET epoch = 9 WHERE id = ?", [roomId]);
    const r = await user.http.post(`/v1/rooms/${roomId}/messages`, { body: "wait" });
    expect(r.status).toBe(503);
    expect(r.body.code).toBe("CHAT_ROOM_UNAVAILABLE");
  });

  it("drops cached routes on every instance when an epoch-change notice is published", async () => {
    const roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "notice" })).body.id as number;
    await b.directory.lookup(roomId);
    expect(b.directory.cache.get(roomId)).toBeDefined();
    await a.directory.publishEpochChange(roomId, 2);
    for (let i = 0; i < 50 && b.directory.cache.get(roomId); i++) await sleep(20);
    expect(b.directory.cache.get(roomId)).toBeUndefined();
  });

  it("retention drops whole month partitions past the window", async () => {
    const pool = a.shards.pool(0);
    const log = silentLogger();
    const roomId = 424242;
    await maintainPartitions(pool, {
      now: new Date("2027-01-10T00:00:00Z"),
      retentionMonths: 0,
      dedupWindowHours: 24,
      log,
    });
    for (const at of ["2027-01-15", "2027-03-15", "2027-05-02"]) {
      await pool.query(
        "INSERT INTO messages (room_id, seq, sender_id, body, mentions, created_at) VALUES (?, ?, 1, ?, '[]', ?)",
        [roomId, Number(at.slice(5, 7)), at, new Date(`${at}T12:00:00Z`)],
      );
    }
    await pool.query(
      "INSERT INTO message_dedup (room_id, sender_id, client_msg_id, seq, created_at) VALUES (?, 1, 'old', 1, ?)",
      [roomId, new Date("2027-01-15T00:00:00Z")],
    );
    await maintainPartitions(pool, {
      now: new Date("2027-05-10T00:00:00Z"),
      retentionMonths: 2,
      dedupWindowHours: 24,
      log,
    });
    const parts = await listPartitions(pool);
    expect(parts).not.toContain("p202701");
    expect(parts).not.toContain("p202702");
    expect(parts).toEqual(
      expect.arrayContaining(["p202703", "p202704", "p202705", "p202706", "p202707", "p_future"]),
    );
    const [rows] = await pool.query("SELECT body FROM messages WHERE room_id = ? ORDER BY seq", [roomId]);
    expect((rows as { body: string }[]).map((r) => r.body)).toEqual(["2027-03-15", "2027-05-02"]);
    const [dedup] = await pool.query("SELECT * FROM message_dedup WHERE room_id = ?", [roomId]);
    expect(dedup).toEqual([]);
  });
});

describe("roles", () => {
  it("a gateway-only instance's sends reach sockets on a realtime-only instance", async () => {
    const gw = await cluster.start({ CHAT_ROLES: "gateway" });
    const rt = await cluster.start({ CHAT_ROLES: "realtime,worker" });
    const roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "roles" })).body.id as number;
    const s = await connectSocket(rt.url(), user.token);
    try {
      expect((await call(s, "room:subscribe", { roomId })).ok).toBe(true);
      const got = nextEvent(s, "message:created");
      const r = await fetch(`${gw.url()}/v1/rooms/${roomId}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ body: "from the gateway" }),
      });
      expect(r.status).toBe(201);
      expect((await got).body).toBe("from the gateway");
      // The realtime-only node serves no REST API, but health and metrics.
      expect((await fetch(`${rt.url()}/v1/me`)).status).toBe(404);
      expect((await fetch(`${rt.url()}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${gw.url()}/metrics`)).text();
      expect(metrics).toMatch(/chat_messages_sent_total\{shard="\d",transport="http"\} \d/);
      expect(metrics).not.toMatch(/room_id|user_id/);
    } finally {
      s.disconnect();
    }
  });
});
