import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let base: string;
let alice: TestUser;
let bob: TestUser;
let roomId: number;

beforeAll(async () => {
  cluster = await createTestCluster();
  const app = await cluster.start({ CHAT_MESSAGE_MAX_LENGTH: "100", CHAT_ROOM_MEMBER_CAP: "100" });
  base = app.url();
  [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "msgs" })).body.id;
  await bob.http.post(`/v1/rooms/${roomId}/join`);
});
afterAll(() => cluster?.close());

const send = (u: TestUser, body: string, extra: Record<string, unknown> = {}, room = roomId) =>
  u.http.post(`/v1/rooms/${room}/messages`, { body, ...extra });

describe("messages", () => {
  it("assigns per-room seqs, resolves mentions and enforces the length limit", async () => {
    const m = await send(alice, `hello @${bob.username} and @ghost_user`);
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ roomId, seq: 1, id: `${roomId}:1`, senderId: alice.id, parentSeq: null });
    expect(m.body.mentions).toEqual([{ userId: bob.id, username: bob.username }]);
    expect((await send(bob, "second")).body.seq).toBe(2);
    expect((await send(alice, "x".repeat(101))).status).toBe(400);
    expect((await send(alice, "   ")).status).toBe(400);
    // 100 Korean characters are 100 characters, not 300 bytes.
    expect((await send(alice, "가".repeat(100))).status).toBe(201);
  });

  it("makes sends idempotent by clientMsgId, also under concurrent retries", async () => {
    const first = await send(alice, "once", { clientMsgId: "retry-1" });
    const again = await send(alice, "once (retried)", { clientMsgId: "retry-1" });
    expect(again.status).toBe(200);
    expect(again.body.seq).toBe(first.body.seq);
    expect(again.body.body).toBe("once");
    // Same id from another sender is a different message.
    expect((await send(bob, "mine", { clientMsgId: "retry-1" })).status).toBe(201);

    const storm = await Promise.all(
      Array.from({ length: 10 }, () => send(bob, "storm", { clientMsgId: "storm-1" })),
    );
    const seqs = new Set(storm.map((r) => r.body.seq));
    expect(seqs.size).toBe(1);
    expect(storm.filter((r) => r.status === 201)).toHaveLength(1);
    const hist = await alice.http.get(`/v1/rooms/${roomId}/messages?limit=200`);
    expect(hist.body.messages.filter((m: { body: string }) => m.body === "storm")).toHaveLength(1);
    // The room's seqs still have no gaps (failed duplicate inserts rolled their bump back).
    const all = hist.body.messages.map((m: { seq: number }) => m.seq);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
  });

  it("50 concurrent senders get seqs 1..N with no gap and no duplicate", async () => {
    const senders = await Promise.all(Array.from({ length: 10 }, (_, i) => registerUser(base, `conc${i}`)));
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "concurrency" })).body.id;
    await Promise.all(senders.map((s) => s.http.post(`/v1/rooms/${room}/join`)));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(senders[i % senders.length]!, `msg ${i}`, { clientMsgId: `c-${i}` }, room),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const seqs = results.map((r) => r.body.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const hist = await alice.http.get(`/v1/rooms/${room}/messages?limit=200`);
    expect(hist.body.messages.map((m: { seq: number }) => m.seq)).toEqual(seqs);
    expect(hist.body.lastSeq).toBe(50);
  });

  it("threads replies to an existing parent", async () => {
    const parent = await send(alice, "parent");
    const reply = await send(bob, "reply", { parentSeq: parent.body.seq });
    expect(reply.body.parentSeq).toBe(parent.body.seq);
    expect((await send(bob, "orphan", { parentSeq: 99999 })).status).toBe(404);
  });

  it("edits by the author only and deletes to a tombstone", async () => {
    const m = (await send(alice, "typo")).body;
    expect((await bob.http.patch(`/v1/rooms/${roomId}/messages/${m.seq}`, { body: "hacked" })).status).toBe(
      403,
    );
    const e = await alice.http.patch(`/v1/rooms/${roomId}/messages/${m.seq}`, {
      body: `fixed @${bob.username}`,
    });
    expect(e.status).toBe(200);
    expect(e.body.body).toBe(`fixed @${bob.username}`);
    expect(e.body.editedAt).not.toBeNull();
    expect(e.body.mentions).toHaveLength(1);

    expect((await bob.http.del(`/v1/rooms/${roomId}/messages/${m.seq}`)).status).toBe(403);
    expect((await alice.http.del(`/v1/rooms/${roomId}/messages/${m.seq}`)).status).toBe(204);
    expect((await alice.http.del(`/v1/rooms/${roomId}/messages/${m.seq}`)).status).toBe(204);
    const t = await alice.http.get(`/v1/rooms/${roomId}/messages/${m.seq}`);
    expect(t.body).toMatchObject({ seq: m.seq, body: "", mentions: [] });
    expect(t.body.deletedAt).not.toBeNull();
    const edit = await alice.http.patch(`/v1/rooms/${roomId}/messages/${m.seq}`, { body: "again" });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe("CHAT_MESSAGE_DELETED");

    // The room owner (an admin) may delete anyone's message.
    const b = (await send(bob, "bob says")).body;
    expect((await alice.http.del(`/v1/rooms/${roomId}/messages/${b.seq}`)).status).toBe(204);
    expect((await alice.http.get(`/v1/rooms/${roomId}/messages/99999`)).status).toBe(404);
  });

  it("counts reactions per emoji", async () => {
    const m = (await send(alice, "react to me")).body;
    const path = `/v1/rooms/${roomId}/messages/${m.seq}/reactions`;
    await alice.http.put(`${path}/${encodeURIComponent("👍")}`);
    await alice.http.put(`${path}/${encodeURIComponent("👍")}`); // idempotent
    const r = await bob.http.put(`${path}/${encodeURIComponent("👍")}`);
    expect(r.body.reactions).toEqual([{ emoji: "👍", count: 2 }]);
    await bob.http.put(`${path}/party`);
    const removed = await alice.http.del(`${path}/${encodeURIComponent("👍")}`);
    expect(removed.body.reactions).toEqual([
      { emoji: "👍", count: 1 },
      { emoji: "party", count: 1 },
    ]);
    const got = await bob.http.get(`/v1/rooms/${roomId}/messages/${m.seq}`);
    expect(got.body.reactions).toHaveLength(2);
    expect((await bob.http.put(`/v1/rooms/${roomId}/messages/99999/reactions/x`)).status).toBe(404);
  });

  it("pages history with before/after/limit, oldest first", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "private", name: "history" })).body.id;
    for (let i = 1; i <= 12; i++) await send(alice, `h${i}`, {}, room);
    const bodies = (r: { body: { messages: { body: string }[] } }) => r.body.messages.map((m) => m.body);
    const latest = await alice.http.get(`/v1/rooms/${room}/messages?limit=5`);
    expect(bodies(latest)).toEqual(["h8", "h9", "h10", "h11", "h12"]);
    expect(latest.body).toMatchObject({ hasMore: true, lastSeq: 12 });
    const older = await alice.http.get(`/v1/rooms/${room}/messages?before=8&limit=5`);
    expect(bodies(older)).toEqual(["h3", "h4", "h5", "h6", "h7"]);
    const oldest = await alice.http.get(`/v1/rooms/${room}/messages?before=3&limit=5`);
    expect(bodies(oldest)).toEqual(["h1", "h2"]);
    expect(oldest.body.hasMore).toBe(false);
    const after = await alice.http.get(`/v1/rooms/${room}/messages?after=9&limit=2`);
    expect(bodies(after)).toEqual(["h10", "h11"]);
    expect(after.body.hasMore).toBe(true);
    const window = await alice.http.get(`/v1/rooms/${room}/messages?after=2&before=5`);
    expect(bodies(window)).toEqual(["h3", "h4"]);
  });

  it("keeps one read marker per user that only moves forward", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "reads" })).body.id;
    await bob.http.post(`/v1/rooms/${room}/join`);
    for (let i = 0; i < 4; i++) await send(alice, `r${i}`, {}, room);
    expect((await bob.http.get(`/v1/rooms/${room}`)).body).toMatchObject({ unread: 4, lastReadSeq: 0 });
    expect((await bob.http.put(`/v1/rooms/${room}/read`, { seq: 3 })).body).toEqual({
      lastReadSeq: 3,
      unread: 1,
    });
    expect((await bob.http.put(`/v1/rooms/${room}/read`, { seq: 1 })).body).toEqual({
      lastReadSeq: 3,
      unread: 1,
    });
    // Never past the end.
    expect((await bob.http.put(`/v1/rooms/${room}/read`, { seq: 999 })).body).toEqual({
      lastReadSeq: 4,
      unread: 0,
    });
  });

  it("writes an outbox row in the same transaction as each message", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "outbox" })).body.id;
    await send(alice, "o1", { clientMsgId: "o1" });
    await send(alice, "o1", { clientMsgId: "o1" }, room);
    await send(alice, "o1", { clientMsgId: "o1" }, room);
    const app = cluster.apps[0]!;
    const route = await app.directory.lookup(room);
    const [rows] = await app.shards
      .pool(route!.shardId)
      .query("SELECT event_type, payload FROM outbox WHERE room_id = ? AND event_type = 'message.created'", [
        room,
      ]);
    const list = rows as { event_type: string; payload: string }[];
    expect(list).toHaveLength(1);
    expect(JSON.parse(list[0]!.payload)).toMatchObject({ roomId: room, seq: 1, body: "o1" });
  });
});

describe("threads", () => {
  it("lists one thread's replies with parentSeq", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "threads" })).body.id;
    const root = (await send(alice, "root", {}, room)).body.seq;
    await send(alice, "unrelated", {}, room);
    for (let i = 0; i < 3; i++) await send(alice, `reply ${i}`, { parentSeq: root }, room);
    const t = await alice.http.get(`/v1/rooms/${room}/messages?parentSeq=${root}&limit=2`);
    expect(t.body.messages.map((m: { body: string }) => m.body)).toEqual(["reply 1", "reply 2"]);
    expect(t.body.hasMore).toBe(true);
    const first = await alice.http.get(`/v1/rooms/${room}/messages?parentSeq=${root}&after=0`);
    expect(first.body.messages.map((m: { body: string }) => m.body)).toEqual([
      "reply 0",
      "reply 1",
      "reply 2",
    ]);
  });
});
