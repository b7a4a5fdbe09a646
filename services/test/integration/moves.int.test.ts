// Online room moves against the real shards and Redis: a move under 50 concurrent
// senders and readers, the admin API's errors, abort/rollback, a stale-cache instance.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient, registerUser, sleep, type TestUser } from "../helpers/client.js";
import {
  adminClient,
  messagesOn,
  percentile,
  roomRowCounts,
  waitMove,
  watchFence,
} from "../helpers/moves.js";

let cluster: TestCluster;
let a: ChatApp;
let admin: HttpClient;
let owner: TestUser;

beforeAll(async () => {
  cluster = await createTestCluster({ spares: true });
  a = await cluster.start();
  admin = adminClient(a);
  owner = await registerUser(a.url(), "mover");
}, 60_000);
afterAll(() => cluster?.close());

const newRoom = async (name: string): Promise<{ roomId: number; shardId: number }> => {
  const roomId = (await owner.http.post("/v1/rooms", { kind: "public", name })).body.id as number;
  const route = await a.directory.lookup(roomId, { fresh: true });
  return { roomId, shardId: route?.shardId as number };
};
const other = (shardId: number) => (shardId === 0 ? 1 : 0);

describe("admin API of room moves", () => {
  it("answers bad input with problem+json 4xx", async () => {
    const { roomId, shardId } = await newRoom("errors");
    const post = (body: unknown) => admin.post("/admin/moves", body);
    const unknownRoom = await post({ roomId: 999_999, toShard: 1 });
    expect(unknownRoom.status).toBe(404);
    expect(unknownRoom.headers.get("content-type")).toMatch(/problem\+json/);
    expect(unknownRoom.body.code).toBe("CHAT_ROOM_NOT_FOUND");
    expect((await post({ roomId, toShard: shardId })).body).toMatchObject({
      status: 422,
      code: "CHAT_MOVE_INVALID",
    });
    expect((await post({ roomId, toShard: 7 })).body).toMatchObject({
      status: 404,
      code: "CHAT_SHARD_NOT_FOUND",
    });
    // The spare is configured but not active yet.
    expect((await post({ roomId, toShard: 2 })).body).toMatchObject({
      status: 422,
      code: "CHAT_MOVE_INVALID",
    });
    expect((await post({ roomId: "x", toShard: 1 })).status).toBe(400);
    expect((await admin.get("/admin/moves/12345")).body).toMatchObject({
      status: 404,
      code: "CHAT_MOVE_NOT_FOUND",
    });
    expect((await owner.http.post("/admin/moves", { roomId, toShard: other(shardId) })).status).toBe(401);
    expect((await admin.post("/admin/shards/9/activate")).body).toMatchObject({
      code: "CHAT_SHARD_NOT_FOUND",
    });

    const first = await post({ roomId, toShard: other(shardId), reason: "test" });
    expect(first.status).toBe(202);
    const conflict = await post({ roomId, toShard: other(shardId) });
    expect(conflict.body).toMatchObject({ status: 409, code: "CHAT_MOVE_CONFLICT" });
    const done = await waitMove(admin, first.body.move.id);
    expect(done).toMatchObject({ state: "Done", roomId, fromShard: shardId, toShard: other(shardId) });
    const late = await admin.post(`/admin/moves/${done.id}/abort`);
    expect(late.body).toMatchObject({ status: 409, code: "CHAT_MOVE_CONFLICT" });
    const list = await admin.get("/admin/moves?state=all&limit=5");
    expect(list.body.moves.map((m: { id: string }) => m.id)).toContain(done.id);
    expect((await admin.get("/admin/moves?state=open")).body.moves).toEqual([]);
  });

  it("activates a spare shard (idempotent) and moves a room onto it", async () => {
    const r1 = await admin.post("/admin/shards/2/activate");
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual({ shardId: 2, state: "active", rooms: 0 });
    expect((await admin.post("/admin/shards/2/activate")).status).toBe(200);
    const { roomId } = await newRoom("to-spare");
    for (let i = 0; i < 5; i++) await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: `m${i}` });
    const move = await admin.post("/admin/moves", { roomId, toShard: 2 });
    expect(move.status).toBe(202);
    expect((await waitMove(admin, move.body.move.id)).state).toBe("Done");
    expect((await a.directory.lookup(roomId, { fresh: true }))?.shardId).toBe(2);
    const hist = await owner.http.get(`/v1/rooms/${roomId}/messages`);
    expect(hist.body.messages.map((m: { body: string }) => m.body)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect((await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: "m5" })).body.seq).toBe(6);
  });
});

describe("writes to a room fenced by a move", () => {
  it("wait for the fence to end, answer 503 CHAT_ROOM_MOVING past the bound; reads go on", async () => {
    const app = await cluster.start({ CHAT_MOVE_MAX_WRITE_PAUSE_MS: "400" });
    const { roomId, shardId } = await newRoom("fenced");
    const http = new HttpClient(app.url(), owner.token);
    expect((await http.post(`/v1/rooms/${roomId}/messages`, { body: "before" })).status).toBe(201);
    // The directory half of a fence, with no mover behind it.
    const setDir = (epoch: number, state: string) =>
      a.catalog.query("UPDATE room_directory SET epoch = ?, state = ? WHERE room_id = ?", [
        epoch,
        state,
        roomId,
      ]);
    await a.shards.pool(shardId).query("UPDATE rooms SET epoch = 2 WHERE id = ?", [roomId]);
    await setDir(2, "moving");
    await a.directory.publishEpochChange(roomId, 2);
    const t0 = performance.now();
    const refused = await http.post(`/v1/rooms/${roomId}/messages`, { body: "refused", clientMsgId: "m1" });
    const waited = performance.now() - t0;
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe("CHAT_ROOM_MOVING");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(waited).toBeGreaterThanOrEqual(390);
    const hist = await http.get(`/v1/rooms/${roomId}/messages`);
    expect(hist.status).toBe(200);
    expect(hist.body.messages.map((m: { body: string }) => m.body)).toEqual(["before"]);

    // Released while a writer waits: it goes through with the active route.
    const pending = http.post(`/v1/rooms/${roomId}/messages`, { body: "after", clientMsgId: "m1" });
    await sleep(100);
    await setDir(2, "active");
    await a.directory.publishEpochChange(roomId, 2);
    const ok = await pending;
    expect(ok.status).toBe(201);
    expect(ok.body.seq).toBe(2);
  });
});

describe("spare shards", () => {
  it("an instance whose spare shard does not answer starts and is Ready; activating it is a 503", async () => {
    const app = await cluster.start({
      CHAT_MYSQL_SPARE_URLS: [...cluster.dbs.spareUrls, "mysql://chat:chat@127.0.0.1:1/chat"].join(","),
    });
    const ready = await fetch(`${app.url()}/readyz`);
    expect(ready.status).toBe(200);
    const shardId = cluster.dbs.shardUrls.length + cluster.dbs.spareUrls.length;
    const r = await adminClient(app).post(`/admin/shards/${shardId}/activate`);
    expect(r.body).toMatchObject({ status: 503, code: "CHAT_SHARD_UNAVAILABLE" });
    expect((await fetch(`${app.url()}/readyz`)).status).toBe(200);
    await app.stop();
  }, 60_000);
  it("a spare shard that accepts connections and never answers delays the start by a bounded time", async () => {
    const silent = net.createServer(() => {}); // accepts, never greets
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const t0 = performance.now();
      const app = await cluster.start({
        CHAT_MYSQL_SPARE_URLS: [...cluster.dbs.spareUrls, `mysql://chat:chat@127.0.0.1:${port}/chat`].join(
          ",",
        ),
      });
      const startMs = performance.now() - t0;
      // 3 s for the best-effort spare migration, 1 s for retention's connection; the
      // driver's connect timeout (10 s) is never waited for.
      expect(startMs).toBeLessThan(8000);
      expect((await fetch(`${app.url()}/readyz`)).status).toBe(200);
      await app.stop();
    } finally {
      silent.close();
    }
  }, 60_000);
});

describe("a move under load", () => {
  it("loses nothing, duplicates nothing and keeps seq order with 50 senders and readers", async () => {
    const { roomId, shardId } = await newRoom("busy");
    const target = other(shardId);
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => registerUser(a.url(), `s${i}`)));
    for (const u of users) expect((await u.http.post(`/v1/rooms/${roomId}/join`)).status).toBeLessThan(300);
    // History before the move, so the copy has something to do.
    for (let i = 0; i < 300; i++)
      await users[i % 50]?.http.post(`/v1/rooms/${roomId}/messages`, { body: `pre${i}` });

    let stop = false;
    const acked = new Map<string, number>();
    const latencies: { at: number; end: number; ms: number }[] = [];
    const failures: string[] = [];
    let moving503 = 0;
    let readErrors = 0;
    let reads = 0;
    const sender = async (u: TestUser, i: number) => {
      for (let n = 0; !stop; n++) {
        const cid = `c${i}-${n}`;
        const t0 = performance.now();
        for (;;) {
          const r = await u.http.post(`/v1/rooms/${roomId}/messages`, {
            body: `b${i}-${n}`,
            clientMsgId: cid,
          });
          if (r.status === 201 || r.status === 200) {
            acked.set(cid, r.body.seq);
            latencies.push({ at: t0, end: performance.now(), ms: performance.now() - t0 });
            break;
          }
          if (r.status === 503) {
            if (r.body.code === "CHAT_ROOM_MOVING") moving503++;
            await sleep(50);
            continue;
          }
          failures.push(`${r.status} ${r.body.code}`);
          break;
        }
      }
    };
    const reader = async (u: TestUser) => {
      while (!stop) {
        const r = await u.http.get(`/v1/rooms/${roomId}/messages?limit=20`);
        reads++;
        if (r.status !== 200) readErrors++;
        await sleep(20);
      }
    };
    const loops = [...users.map(sender), ...users.slice(0, 5).map(reader)];
    await sleep(1000);
    const moveStart = performance.now();
    // The fence as the clients' side sees it: when the directory said `moving`.
    const { fence, stop: stopWatching } = watchFence(a.catalog, roomId);
    const res = await admin.post("/admin/moves", { roomId, toShard: target, reason: "load test" });
    expect(res.status).toBe(202);
    const done = await waitMove(admin, res.body.move.id);
    const moveEnd = performance.now();
    await stopWatching();
    await sleep(1000);
    stop = true;
    await Promise.all(loops);

    expect(done.state, JSON.stringify(done)).toBe("Done");
    expect(failures).toEqual([]);
    expect(readErrors).toBe(0);
    const onTarget = await messagesOn(a.shards.pool(target), roomId);
    // seq 1..N without gaps, each clientMsgId stored once, every ack on the target.
    expect(onTarget.map((m) => m.seq)).toEqual(onTarget.map((_, i) => i + 1));
    const byCid = new Map(onTarget.filter((m) => m.cid).map((m) => [m.cid as string, m]));
    expect(byCid.size).toBe(onTarget.filter((m) => m.cid).length);
    for (const [cid, seq] of acked) {
      expect(byCid.get(cid)?.seq, cid).toBe(seq);
      expect(byCid.get(cid)?.body).toBe(`b${cid.slice(1)}`);
    }
    expect(onTarget.length).toBe(300 + acked.size);
    expect(Object.values(await roomRowCounts(a.shards.pool(shardId), roomId)).every((n) => n === 0)).toBe(
      true,
    );
    const counts = await roomRowCounts(a.shards.pool(target), roomId);
    expect(counts).toMatchObject({ rooms: 1, room_members: 51, messages: onTarget.length });

    const fmt = (xs: number[]) =>
      xs.length === 0
        ? "none"
        : `n=${xs.length} p50=${percentile(xs, 50).toFixed(0)}ms p99=${percentile(xs, 99).toFixed(0)}ms max=${Math.max(...xs).toFixed(0)}ms`;
    const before = latencies.filter((l) => l.end < moveStart).map((l) => l.ms);
    // Sends in flight while the directory said `moving`: the pause as the senders felt it.
    const fenced = latencies.filter(
      (l) => fence.from && l.at <= (fence.to || moveEnd) && l.end >= fence.from,
    );
    console.log(
      `[move under load] acked=${acked.size} reads=${reads} moveMs=${Math.round(moveEnd - moveStart)} ` +
        `serverPauseMs=${done.writePauseMillis} fenceSeenMs=${fence.to ? Math.round(fence.to - fence.from) : "?"} ` +
        `rowsCopied=${done.rowsCopied} moving503=${moving503}; send latency before the move: ${fmt(before)}; ` +
        `sends in flight during the fence: ${fmt(fenced.map((l) => l.ms))}`,
    );
  }, 120_000);
});

describe("rollback and stale routes", () => {
  it("an abort before the flip rolls back: the room stays, nothing lost, the target copy is gone", async () => {
    const slow = await cluster.start({ CHAT_MOVE_ROWS_PER_SECOND: "100", CHAT_MOVE_BATCH_ROWS: "10" });
    const { roomId, shardId } = await newRoom("abort");
    for (let i = 0; i < 100; i++) await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: `a${i}` });
    const before = await a.directory.lookup(roomId, { fresh: true });
    const slowAdmin = adminClient(slow);
    const res = await slowAdmin.post("/admin/moves", { roomId, toShard: other(shardId) });
    await waitMove(slowAdmin, res.body.move.id, (m) => m.state === "Copying" && m.rowsCopied > 20);
    const aborted = await slowAdmin.post(`/admin/moves/${res.body.move.id}/abort`);
    expect(aborted.status).toBe(200);
    expect(aborted.body.move).toMatchObject({ state: "Aborted", epoch: null, reason: "aborted on request" });
    expect(await a.directory.lookup(roomId, { fresh: true })).toEqual(before);
    expect(
      Object.values(await roomRowCounts(a.shards.pool(other(shardId)), roomId)).every((n) => n === 0),
    ).toBe(true);
    expect((await messagesOn(a.shards.pool(shardId), roomId)).map((m) => m.body)).toEqual(
      Array.from({ length: 100 }, (_, i) => `a${i}`),
    );
    expect((await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: "more" })).body.seq).toBe(101);
  }, 60_000);

  it("a fence that cannot fit the pause bound is released; after the last attempt the move fails and rolls back", async () => {
    const strict = await cluster.start({ CHAT_MOVE_MAX_WRITE_PAUSE_MS: "1", CHAT_MOVE_FENCE_ATTEMPTS: "2" });
    const { roomId, shardId } = await newRoom("bound");
    for (let i = 0; i < 50; i++) await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: `b${i}` });
    const epoch = (await a.directory.lookup(roomId, { fresh: true }))?.epoch as number;
    const res = await adminClient(strict).post("/admin/moves", { roomId, toShard: other(shardId) });
    const m = await waitMove(admin, res.body.move.id);
    expect(m.state).toBe("Failed");
    expect(m.reason).toMatch(/did not fit 1 ms \(2 attempts\)/);
    // Each released fence advanced the epoch once; the room is back on its shard, active.
    expect(await a.directory.lookup(roomId, { fresh: true })).toMatchObject({
      shardId,
      epoch: epoch + 2,
      state: "active",
    });
    expect((await roomRowCounts(a.shards.pool(other(shardId)), roomId)).messages).toBe(0);
    expect((await owner.http.post(`/v1/rooms/${roomId}/messages`, { body: "ok" })).body.seq).toBe(51);
  }, 60_000);

  it("an instance with a stale cached route writes to the target after the flip, never to the source", async () => {
    // Another Redis prefix: this instance never sees the epoch notices (a warm, stale cache).
    const stale = await cluster.start({ CHAT_REDIS_PREFIX: `${cluster.dbs.redisPrefix}stale:` });
    const { roomId, shardId } = await newRoom("stale");
    const send = (app: ChatApp, body: string) =>
      new HttpClient(app.url(), owner.token).post(`/v1/rooms/${roomId}/messages`, { body });
    expect((await send(stale, "one")).body.seq).toBe(1);
    expect(stale.directory.cache.get(roomId)).toMatchObject({ shardId, state: "active" });
    const res = await admin.post("/admin/moves", { roomId, toShard: other(shardId) });
    const m = await waitMove(admin, res.body.move.id);
    expect(m.state).toBe("Done");
    expect(stale.directory.cache.get(roomId)?.shardId).toBe(shardId);
    const staleBefore = (await stale.metrics.staleRoutes.get()).values.reduce((n, v) => n + v.value, 0);
    const two = await send(stale, "two");
    expect(two.status).toBe(201);
    expect(two.body.seq).toBe(2);
    expect((await stale.metrics.staleRoutes.get()).values.reduce((n, v) => n + v.value, 0)).toBe(
      staleBefore + 1,
    );
    expect(stale.directory.cache.get(roomId)).toMatchObject({ shardId: other(shardId), epoch: m.epoch });
    expect((await messagesOn(a.shards.pool(other(shardId)), roomId)).map((x) => x.body)).toEqual([
      "one",
      "two",
    ]);
    expect((await roomRowCounts(a.shards.pool(shardId), roomId)).messages).toBe(0);
  }, 60_000);
});
