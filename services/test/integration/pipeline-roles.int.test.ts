// Roles split over processes: a gateway+realtime instance (no worker: no relay, no
// consumers) and a worker-only instance. The worker relays and consumes; its live
// notification reaches the user's socket on the other node through the Redis adapter.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { connectSocket, nextEvent, registerUser, sleep } from "../helpers/client.js";
import { deleteTopics, sharedKafkaBrokers } from "../helpers/kafka.js";

const brokers = sharedKafkaBrokers();
const prefix = `cco${randomBytes(3).toString("hex")}.`;
let cluster: TestCluster;
let front: ChatApp;
let worker: ChatApp;

beforeAll(async () => {
  cluster = await createTestCluster();
  const env = { CHAT_KAFKA_BROKERS: brokers, CHAT_KAFKA_TOPIC_PREFIX: prefix, CHAT_KAFKA_PARTITIONS: "2" };
  front = await cluster.start({ ...env, CHAT_ROLES: "gateway,realtime" });
  worker = await cluster.start({ ...env, CHAT_ROLES: "worker" });
  await worker.pipeline.ready();
});
afterAll(async () => {
  await cluster?.close();
  await deleteTopics(brokers, prefix);
});

describe("worker role in its own process", () => {
  it("relays, indexes and notifies live across nodes", async () => {
    expect(front.pipeline.relays.every((r) => !r.holdsLease)).toBe(true);
    const [alice, bob] = await Promise.all([
      registerUser(front.url(), "alice"),
      registerUser(front.url(), "bob"),
    ]);
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "split" })).body.id;
    await bob.http.post(`/v1/rooms/${room}/join`);
    const sock = await connectSocket(front.url(), bob.token);
    try {
      const live = nextEvent(sock, "notification:new", 20_000);
      const m = (
        await alice.http.post(`/v1/rooms/${room}/messages`, { body: `@${bob.username} 여러분 hello` })
      ).body;
      expect(await live).toMatchObject({ kind: "mention", roomId: room, seq: m.seq });
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await bob.http.get(`/v1/search?q=${encodeURIComponent("여러분")}`);
        if (r.body.results.length === 1) break;
        if (Date.now() > deadline) throw new Error("not searchable");
        await sleep(100);
      }
      expect(worker.pipeline.relays.some((r) => r.holdsLease)).toBe(true);
      expect(front.pipeline.relays.every((r) => !r.holdsLease)).toBe(true);
    } finally {
      sock.close();
    }
  });
});
