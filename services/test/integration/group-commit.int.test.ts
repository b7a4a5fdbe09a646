// The per-shard writer groups concurrent sends into one transaction. Grouping must
// not change any outcome: seqs stay gap-free per room, retries stay idempotent,
// and a refused send (moved room, non-member) does not take its batch down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { toAckError } from "../../src/errors.js";
import { ShardWriter } from "../../src/messages/writer.js";
import { StaleRouteError } from "../../src/sharding/router.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let app: ChatApp;
let users: TestUser[];

beforeAll(async () => {
  cluster = await createTestCluster();
  app = await cluster.start();
  users = await Promise.all(Array.from({ length: 4 }, (_, i) => registerUser(app.url(), `gc${i}`)));
});
afterAll(() => cluster?.close());

async function roomOnShard0(name: string, members: TestUser[]): Promise<number> {
  for (;;) {
    const id = (await members[0]!.http.post("/v1/rooms", { kind: "public", name })).body.id as number;
    if ((await app.directory.lookup(id))?.shardId === 0) {
      for (const m of members.slice(1)) await m.http.post(`/v1/rooms/${id}/join`);
      return id;
    }
  }
}

const batches = async () => (await app.metrics.sendBatches.get()).values.reduce((n, v) => n + v.value, 0);

describe("group commit", () => {
  it("stores a burst in few transactions with gap-free seqs per room and per-send outcomes", async () => {
    const [a, b, c, outsider] = users as [TestUser, TestUser, TestUser, TestUser];
    const r1 = await roomOnShard0("gc1", [a, b, c]);
    const r2 = await roomOnShard0("gc2", [a, b]);
    const writer = app.messages.writer(0);
    const route1 = (await app.directory.lookup(r1))!;
    const route2 = (await app.directory.lookup(r2))!;
    const input = (senderId: number, body: string, clientMsgId: string | null = null) => ({
      senderId,
      body,
      parentSeq: null,
      mentions: [],
      clientMsgId,
    });
    // A retry of something already stored before the burst.
    const pre = await writer.send(route1, input(a.id, "pre", "k-pre"));
    const before = await batches();

    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const [room, sender] = i % 3 === 0 ? [route2, b] : [route1, [a, b, c][i % 3]!];
      sends.push(writer.send(room, input(sender.id, `m${i}`, i % 10 === 0 ? `k${i}` : null)));
    }
    const dupInBatch = [
      writer.send(route1, input(a.id, "twice", "k-twice")),
      writer.send(route1, input(a.id, "twice", "k-twice")),
    ];
    const retryOfPre = writer.send(route1, input(a.id, "pre again", "k-pre"));
    // Capture refusals right away (they settle before the burst does).
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e,
      );
    const nonMember = settle(writer.send(route1, input(outsider.id, "let me in")));
    const stale = settle(writer.send({ ...route2, epoch: 99 }, input(b.id, "old route")));

    const results = (await Promise.all(sends)) as {
      message: { roomId: number; seq: number };
      duplicate: boolean;
    }[];
    const [d1, d2] = await Promise.all(dupInBatch);
    expect(d1!.message.seq).toBe(d2!.message.seq);
    expect([d1!.duplicate, d2!.duplicate].sort()).toEqual([false, true]);
    expect(await retryOfPre).toMatchObject({
      duplicate: true,
      message: { seq: pre.message.seq, body: "pre" },
    });
    expect(await nonMember).toMatchObject({ code: "CHAT_NOT_A_MEMBER" });
    expect(await stale).toBeInstanceOf(StaleRouteError);

    for (const [room, count] of [
      [r1, 200 + 2],
      [r2, 100],
    ] as const) {
      const seqs = results
        .map((r) => r.message)
        .concat(room === r1 ? [pre.message, d1!.message] : [])
        .filter((m) => m.roomId === room)
        .map((m) => m.seq)
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      const [[row]] = (await app.shards
        .pool(0)
        .query("SELECT seq FROM rooms WHERE id = ?", [room])) as unknown as [{ seq: number }[]];
      expect(Number(row?.seq)).toBe(count);
      const [[cnt]] = (await app.shards
        .pool(0)
        .query("SELECT COUNT(*) AS n FROM messages WHERE room_id = ?", [room])) as unknown as [
        { n: number }[],
      ];
      expect(Number(cnt?.n)).toBe(count);
    }
    const used = (await batches()) - before;
    expect(used).toBeLessThan(100); // 301 stored messages in far fewer transactions
    expect(used).toBeGreaterThan(0);
  });

  it("keeps concurrent retries of one clientMsgId to one message across batches", async () => {
    const [a] = users as [TestUser];
    const room = await roomOnShard0("gc3", [a]);
    const route = (await app.directory.lookup(room))!;
    const writer = app.messages.writer(0);
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        writer.send(route, {
          senderId: a.id,
          body: `x${i}`,
          parentSeq: null,
          mentions: [],
          clientMsgId: `same-${i % 4}`,
        }),
      ),
    );
    expect(new Set(all.map((r) => r.message.seq))).toEqual(new Set([1, 2, 3, 4]));
    expect(all.filter((r) => !r.duplicate)).toHaveLength(4);
  });

  it("refuses sends past the queue bound with a retryable 503 and stores every accepted one", async () => {
    const [a] = users as [TestUser];
    const room = await roomOnShard0("gc4", [a]);
    const route = (await app.directory.lookup(room))!;
    // One batch of ≤ 2 in flight, ≤ 5 waiting: of 30 sends issued at once, 1 goes
    // straight into flight, 5 wait, 24 are refused.
    const writer = new ShardWriter(0, app.shards.writerPool(0), { maxBatch: 2, maxInFlight: 1, maxQueue: 5 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        writer.send(route, {
          senderId: a.id,
          body: `o${i}`,
          parentSeq: null,
          mentions: [],
          clientMsgId: `o${i}`,
        }),
      ),
    );
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(ok).toHaveLength(6);
    expect(refused).toHaveLength(24);
    for (const e of refused) {
      expect(e).toMatchObject({ code: "CHAT_OVERLOADED", status: 503, extra: { retryAfterSeconds: 1 } });
    }
    expect(toAckError(refused[0]).error).toMatchObject({
      code: "CHAT_OVERLOADED",
      status: 503,
      retryAfterSeconds: 1,
    });
    const [[cnt]] = (await app.shards
      .pool(0)
      .query("SELECT COUNT(*) AS n, MAX(seq) AS top FROM messages WHERE room_id = ?", [room])) as unknown as [
      { n: number; top: number }[],
    ];
    expect([Number(cnt?.n), Number(cnt?.top)]).toEqual([6, 6]);
  });
});
