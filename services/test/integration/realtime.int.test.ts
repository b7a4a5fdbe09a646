// Two realtime nodes sharing Redis (and the same databases): delivery across nodes,
// recovery through sync after reconnecting elsewhere, typing limits and presence.
import { io as ioClient } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import {
  type ChatSocket,
  call,
  connectSocket,
  nextEvent,
  registerUser,
  sleep,
  type TestUser,
} from "../helpers/client.js";

let cluster: TestCluster;
let nodeA: ChatApp;
let nodeB: ChatApp;
let alice: TestUser;
let bob: TestUser;
const sockets: ChatSocket[] = [];
const open = async (app: ChatApp, u: TestUser) => {
  const s = await connectSocket(app.url(), u.token);
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  cluster = await createTestCluster();
  nodeA = await cluster.start({ CHAT_RATE_TYPING_PER_10S: "2", CHAT_PRESENCE_TTL_SECONDS: "5" });
  nodeB = await cluster.start({ CHAT_RATE_TYPING_PER_10S: "2", CHAT_PRESENCE_TTL_SECONDS: "5" });
  [alice, bob] = await Promise.all([registerUser(nodeA.url(), "alice"), registerUser(nodeB.url(), "bob")]);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await cluster?.close();
});

describe("realtime across two nodes", () => {
  it("refuses a handshake without a valid token", async () => {
    for (const auth of [{}, { token: "garbage" }, { token: 42 }]) {
      const s = ioClient(nodeA.url(), {
        auth,
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
      });
      const err = await new Promise<Error & { data?: { code: string } }>((resolve) =>
        s.once("connect_error", resolve),
      );
      expect(err.data?.code).toBe("CHAT_UNAUTHENTICATED");
      s.close();
    }
  });

  it("delivers a message sent on node B to a client on node A, with ack {id, seq}", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "rt" })).body.id;
    await bob.http.post(`/v1/rooms/${room}/join`);
    const a = await open(nodeA, alice);
    const b = await open(nodeB, bob);
    expect((await call(a, "room:subscribe", { roomId: room })).ok).toBe(true);
    expect((await call(b, "room:subscribe", { roomId: room })).room).toMatchObject({
      id: room,
      myRole: "member",
    });

    const got = nextEvent(a, "message:created");
    const ack = await call(b, "message:send", { roomId: room, body: "from B", clientMsgId: "b-1" });
    expect(ack).toMatchObject({ ok: true, id: `${room}:1`, seq: 1, duplicate: false });
    expect(await got).toMatchObject({ roomId: room, seq: 1, body: "from B", senderId: bob.id });

    // REST sends on node A reach socket clients on node B too.
    const got2 = nextEvent(b, "message:created");
    await alice.http.post(`/v1/rooms/${room}/messages`, { body: "via REST" });
    expect((await got2).seq).toBe(2);

    // A retried socket send returns the original without a second broadcast.
    const dup = await call(b, "message:send", { roomId: room, body: "from B", clientMsgId: "b-1" });
    expect(dup).toMatchObject({ ok: true, seq: 1, duplicate: true });

    // Edits, deletes, reactions and read markers are pushed as well.
    const edited = nextEvent(a, "message:edited");
    await call(b, "message:edit", { roomId: room, seq: 1, body: "edited on B" });
    expect((await edited).body).toBe("edited on B");
    const reacted = nextEvent(a, "reaction:updated");
    expect((await call(b, "reaction:add", { roomId: room, seq: 2, emoji: "🎉" })).reactions).toEqual([
      { emoji: "🎉", count: 1 },
    ]);
    expect(await reacted).toMatchObject({ seq: 2, emoji: "🎉", count: 1, added: true, userId: bob.id });
    const read = nextEvent(a, "read:updated");
    expect(await call(b, "read:mark", { roomId: room, seq: 2 })).toEqual({
      ok: true,
      lastReadSeq: 2,
      unread: 0,
    });
    expect(await read).toEqual({ roomId: room, userId: bob.id, lastReadSeq: 2 });
    const deleted = nextEvent(a, "message:deleted");
    await call(b, "message:delete", { roomId: room, seq: 1 });
    expect(await deleted).toMatchObject({ roomId: room, seq: 1 });

    // Commit → ack → fan out: the sender's own socket gets its ack before the broadcast.
    // (Recorded in the ack callback itself: a promise continuation could run after the
    // next packet's handler.)
    const order: string[] = [];
    const own = new Promise<void>((resolve) =>
      b.once("message:created", () => {
        order.push("created");
        resolve();
      }),
    );
    (b as unknown as { emit: (e: string, p: unknown, ack: () => void) => void }).emit(
      "message:send",
      { roomId: room, body: "ordered" },
      () => order.push("ack"),
    );
    await own;
    expect(order).toEqual(["ack", "created"]);
  });

  it("recovers everything missed through sync after reconnecting to the other node", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "recover" })).body.id;
    await bob.http.post(`/v1/rooms/${room}/join`);
    const a = await open(nodeA, alice);
    await call(a, "room:subscribe", { roomId: room });
    const bOnB = await open(nodeB, bob);
    await call(bOnB, "room:subscribe", { roomId: room });

    let lastSeen = 0;
    bOnB.on("message:created", (m) => {
      lastSeen = Math.max(lastSeen, m.seq);
    });
    for (let i = 0; i < 3; i++) await call(a, "message:send", { roomId: room, body: `live ${i}` });
    await sleep(200);
    expect(lastSeen).toBe(3);
    bOnB.disconnect();

    for (let i = 0; i < 7; i++) await call(a, "message:send", { roomId: room, body: `missed ${i}` });

    const bOnA = await open(nodeA, bob);
    await call(bOnA, "room:subscribe", { roomId: room });
    const sync = await call(bOnA, "sync", { roomId: room, afterSeq: lastSeen });
    expect(sync.ok).toBe(true);
    expect(sync.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(sync).toMatchObject({ lastSeq: 10, hasMore: false });
    const paged = await call(bOnA, "sync", { roomId: room, afterSeq: 3, limit: 4 });
    expect(paged.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 5, 6, 7]);
    expect(paged.hasMore).toBe(true);
  });

  it("pushes membership changes to users on any node and unsubscribes kicked sockets", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "private", name: "members" })).body.id;
    const b = await open(nodeB, bob);
    const added = nextEvent(b, "room:added");
    await alice.http.post(`/v1/rooms/${room}/members`, { userId: bob.id });
    expect(await added).toEqual({ roomId: room });
    // Bob's socket was subscribed by the invite: he receives room traffic without asking.
    const msg = nextEvent(b, "message:created");
    await alice.http.post(`/v1/rooms/${room}/messages`, { body: "welcome" });
    expect((await msg).body).toBe("welcome");

    const removed = nextEvent(b, "room:removed");
    await alice.http.del(`/v1/rooms/${room}/members/${bob.id}`);
    expect(await removed).toEqual({ roomId: room, reason: "kicked" });
    let leaked = false;
    b.on("message:created", (m) => {
      if (m.roomId === room) leaked = true;
    });
    await alice.http.post(`/v1/rooms/${room}/messages`, { body: "after kick" });
    await sleep(300);
    expect(leaked).toBe(false);
    const denied = await call(b, "room:subscribe", { roomId: room });
    expect(denied).toMatchObject({ ok: false, error: { code: "CHAT_ROOM_NOT_FOUND", status: 404 } });
  });

  it("relays typing to other members, rate limited", async () => {
    const room = (await alice.http.post("/v1/rooms", { kind: "public", name: "typing" })).body.id;
    await bob.http.post(`/v1/rooms/${room}/join`);
    const a = await open(nodeA, alice);
    const b = await open(nodeB, bob);
    await call(a, "room:subscribe", { roomId: room });
    const unsubscribed = await call(b, "typing", { roomId: room });
    expect(unsubscribed.error.code).toBe("CHAT_NOT_A_MEMBER");
    await call(b, "room:subscribe", { roomId: room });
    const typing = nextEvent(a, "typing");
    expect((await call(b, "typing", { roomId: room })).ok).toBe(true);
    expect(await typing).toEqual({ roomId: room, userId: bob.id, username: bob.username });
    expect((await call(b, "typing", { roomId: room })).ok).toBe(true);
    const limited = await call(b, "typing", { roomId: room });
    expect(limited).toMatchObject({ ok: false, error: { code: "CHAT_RATE_LIMITED", status: 429 } });
  });

  it("tracks presence across nodes with expiry", async () => {
    const carol = await registerUser(nodeA.url(), "carol");
    const watcher = await open(nodeA, alice);
    const before = await call(watcher, "presence:subscribe", { userIds: [carol.id] });
    expect(before.statuses).toEqual({ [carol.id]: "offline" });

    const online = nextEvent(watcher, "presence", 5000, (e) => e.userId === carol.id);
    const c1 = await open(nodeB, carol);
    expect(await online).toEqual({ userId: carol.id, status: "online" });
    const c2 = await open(nodeA, carol);
    await call(c2, "presence:set", { status: "away" });
    // One socket online, one away → online.
    expect((await call(watcher, "presence:subscribe", { userIds: [carol.id] })).statuses[carol.id]).toBe(
      "online",
    );
    const away = nextEvent(watcher, "presence", 5000, (e) => e.userId === carol.id && e.status === "away");
    c1.disconnect();
    expect(await away).toEqual({ userId: carol.id, status: "away" });
    const offline = nextEvent(
      watcher,
      "presence",
      5000,
      (e) => e.userId === carol.id && e.status === "offline",
    );
    c2.disconnect();
    expect(await offline).toEqual({ userId: carol.id, status: "offline" });
  });

  it("expires presence of a node that vanished without cleaning up", async () => {
    const dave = await registerUser(nodeA.url(), "dave");
    const redisPrefix = cluster.dbs.redisPrefix;
    const { Redis } = await import("ioredis");
    const r = new Redis(cluster.dbs.redisUrl);
    try {
      // A crashed node's socket field, already past its expiry time.
      await r.hset(`${redisPrefix}presence:${dave.id}`, "ghost-socket", `online|${Date.now() - 1}`);
      const w = await open(nodeB, alice);
      expect((await call(w, "presence:subscribe", { userIds: [dave.id] })).statuses[dave.id]).toBe("offline");
    } finally {
      r.disconnect();
    }
  });
});
