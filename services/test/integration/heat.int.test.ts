// Cluster-wide heat on the real Redis: two platform instances each count the sends they
// store; either one's GET /admin/heat sums both (published snapshots), drops an instance
// the moment it stops, and forgets a crashed one when its snapshot expires.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { RedisHeatStore } from "../../src/heat/store.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { type HttpClient as Client, HttpClient, registerUser, type TestUser } from "../helpers/client.js";

const HALF_LIFE_S = 60; // the platform's default
/** msgs/s a 60 s half-life tracker reports for n messages counted `ageS` seconds ago. */
const rateOf = (n: number, ageS = 0) => ((n * Math.LN2) / HALF_LIFE_S) * 2 ** (-ageS / HALF_LIFE_S);

let cluster: TestCluster;
let a: ChatApp;
let b: ChatApp;
let adminA: Client;
let owner: TestUser;
let redis: Redis;
/** The room both instances wrote to (first test). */
let hotId = -1;

interface Heat {
  halfLifeSeconds: number;
  instances: number;
  shards: {
    shardId: number;
    rate: number;
    trackedRooms: number;
    rooms: { roomId: number; rate: number; share: number; rateError: number }[];
  }[];
}

beforeAll(async () => {
  cluster = await createTestCluster();
  const env = { CHAT_HEAT_PUBLISH_INTERVAL_MS: "200" };
  a = await cluster.start(env);
  b = await cluster.start(env);
  adminA = new HttpClient(a.url(), a.config.auth.adminToken);
  owner = await registerUser(a.url(), "heat");
  redis = new Redis(cluster.dbs.redisUrl, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  redis?.disconnect();
  await cluster?.close();
});

/** Polls A's /admin/heat until `ok` holds (snapshots arrive every 200 ms). */
async function heatUntil(ok: (h: Heat) => boolean, what: string): Promise<Heat> {
  const deadline = Date.now() + 5000;
  let last: Heat | undefined;
  while (Date.now() < deadline) {
    const res = await adminA.get<Heat>("/admin/heat?limit=10");
    expect(res.status).toBe(200);
    last = res.body;
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last view: ${JSON.stringify(last)}`);
}

const roomIn = (h: Heat, roomId: number) => h.shards.flatMap((s) => s.rooms).find((r) => r.roomId === roomId);

describe("cluster-wide heat", () => {
  it("sums both instances' sends in either instance's view", async () => {
    const viaA = owner.http;
    const viaB = new HttpClient(b.url(), owner.token);
    const hot = (await viaA.post("/v1/rooms", { kind: "private", name: "hot" })).body;
    const onlyB = (await viaA.post("/v1/rooms", { kind: "private", name: "only-b" })).body;
    hotId = hot.id;
    const started = Date.now();
    for (let i = 0; i < 20; i++)
      expect((await viaA.post(`/v1/rooms/${hot.id}/messages`, { body: `a${i}` })).status).toBe(201);
    for (let i = 0; i < 30; i++)
      expect((await viaB.post(`/v1/rooms/${hot.id}/messages`, { body: `b${i}` })).status).toBe(201);
    for (let i = 0; i < 10; i++)
      expect((await viaB.post(`/v1/rooms/${onlyB.id}/messages`, { body: `o${i}` })).status).toBe(201);

    // 50 sends to `hot` (20 stored by A, 30 by B; A alone saw 20) and 10 to `onlyB`, all
    // stored by B: A's view reaches both totals once B publishes after its last send.
    const ageS = () => (Date.now() - started) / 1000;
    const view = await heatUntil(
      (h) =>
        h.instances === 2 &&
        (roomIn(h, hot.id)?.rate ?? 0) >= rateOf(50, ageS()) &&
        (roomIn(h, onlyB.id)?.rate ?? 0) >= rateOf(10, ageS()),
      "both instances' sends",
    );
    const r = roomIn(view, hot.id);
    // No evictions in tables this small: estimates are exact decayed counts.
    expect(r?.rateError).toBe(0);
    expect(r?.rate).toBeLessThanOrEqual(rateOf(50) * (1 + 1e-9));
    expect(roomIn(view, onlyB.id)?.rate).toBeLessThanOrEqual(rateOf(10) * (1 + 1e-9));
    // Each shard's rate is the sum of its rooms' (every room is listed here; the live
    // tracker reads its clock per call, hence a relative tolerance).
    for (const s of view.shards) {
      const sum = s.rooms.reduce((acc, x) => acc + x.rate, 0);
      expect(s.rate / sum).toBeCloseTo(1, 5);
      expect(s.trackedRooms).toBe(s.rooms.length);
    }
    // B's own view agrees (within the decay between the two reads and a publish period).
    const fromB = (await new HttpClient(b.url(), b.config.auth.adminToken).get<Heat>("/admin/heat")).body;
    expect(fromB.instances).toBe(2);
    expect(roomIn(fromB, hot.id)?.rate).toBeGreaterThan(rateOf(45));
    // Room ids stay out of the metrics.
    const metrics = (await new HttpClient(a.url()).get<string>("/metrics")).body;
    expect(metrics).not.toMatch(/room(_id|Id)?="/);
  });

  it("keeps each instance's snapshot under the prefix with a TTL of three periods", async () => {
    const prefix = cluster.dbs.redisPrefix;
    expect(await redis.smembers(`${prefix}heat:instances`)).toEqual(
      expect.arrayContaining([a.config.instanceId, b.config.instanceId]),
    );
    const ttl = await redis.pttl(`${prefix}heat:i:${b.config.instanceId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it("forgets a crashed instance when its snapshot expires", async () => {
    // A ghost instance that published once and died without withdrawing.
    const store = new RedisHeatStore(redis, cluster.dbs.redisPrefix);
    await store.publish(
      {
        v: 1,
        instanceId: "ghost",
        halfLifeMs: 60_000,
        at: Date.now(),
        shards: [{ shardId: 0, rate: 5, untrackedRate: 0, rooms: [] }],
      },
      300,
    );
    expect((await adminA.get<Heat>("/admin/heat")).body.instances).toBe(3);
    await new Promise((r) => setTimeout(r, 400));
    await heatUntil((h) => h.instances === 2, "the ghost to expire");
    expect(await redis.sismember(`${cluster.dbs.redisPrefix}heat:instances`, "ghost")).toBe(0);
  });

  it("drops an instance from the view as soon as it stops", async () => {
    await heatUntil((h) => h.instances === 2, "two instances");
    await b.stop();
    const after = (await adminA.get<Heat>("/admin/heat?limit=10")).body;
    expect(after.instances).toBe(1);
    expect(await redis.exists(`${cluster.dbs.redisPrefix}heat:i:${b.config.instanceId}`)).toBe(0);
    // Only A's 20 sends to the hot room remain.
    const hot = roomIn(after, hotId);
    expect(hot?.rate).toBeGreaterThan(0);
    expect(hot?.rate).toBeLessThanOrEqual(rateOf(20) * (1 + 1e-9));
  });
});
