// The event pipeline end to end on the real local Kafka, MariaDB shards and Redis:
// send → outbox → relay → Kafka → search and notification consumers.
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import type { RowDataPacket } from "../../src/db/pool.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { call, connectSocket, nextEvent, registerUser, sleep, type TestUser } from "../helpers/client.js";
import { deleteTopics, readTopic, sharedKafkaBrokers } from "../helpers/kafka.js";
import { makeUntil } from "../helpers/pipeline.js";

const brokers = sharedKafkaBrokers();
const prefix = `cct${randomBytes(3).toString("hex")}.`;
let cluster: TestCluster;
let app: ChatApp;
let base: string;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let roomId: number;

const until = makeUntil(30_000, 100);

const search = (u: TestUser, q: string, extra = "") =>
  u.http.get(`/v1/search?q=${encodeURIComponent(q)}${extra}`);
const send = async (u: TestUser, room: number, body: string) => {
  const r = await u.http.post(`/v1/rooms/${room}/messages`, { body });
  expect(r.status).toBe(201);
  return r.body as { seq: number; id: string };
};
const found = (u: TestUser, q: string, id: string) =>
  until(`"${q}" to find ${id}`, async () => {
    const r = await search(u, q);
    return r.status === 200 && r.body.results.some((h: { id: string }) => h.id === id) ? r.body : null;
  });

beforeAll(async () => {
  cluster = await createTestCluster();
  app = await cluster.start({
    CHAT_KAFKA_BROKERS: brokers,
    CHAT_KAFKA_TOPIC_PREFIX: prefix,
    CHAT_KAFKA_PARTITIONS: "3",
    CHAT_WEBHOOK_MAX_ATTEMPTS: "2",
    CHAT_WEBHOOK_BACKOFF_MS: "50",
  });
  base = app.url();
  await app.pipeline.ready();
  [alice, bob, carol] = await Promise.all([
    registerUser(base, "alice"),
    registerUser(base, "bob"),
    registerUser(base, "carol"),
  ]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "pipeline" })).body.id;
  await bob.http.post(`/v1/rooms/${roomId}/join`);
  await carol.http.post(`/v1/rooms/${roomId}/join`);
});
afterAll(async () => {
  await cluster?.close();
  await deleteTopics(brokers, prefix);
});

describe("event pipeline (Kafka)", () => {
  it("creates the topics with their partition counts", async () => {
    const { kafkaClient } = await import("../helpers/kafka.js");
    const admin = kafkaClient(brokers).admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [`${prefix}events.v1`, `${prefix}events.v1.dlq`] });
    await admin.disconnect();
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([3, 3]);
  });

  it("makes a sent message searchable, Korean by substring, with the matched fragment", async () => {
    const m = await send(alice, roomId, "안녕하세요 여러분");
    const byTail = await found(bob, "여러분", m.id);
    const hit = byTail.results.find((h: { id: string }) => h.id === m.id);
    expect(hit).toMatchObject({ roomId, seq: m.seq, senderId: alice.id, fragment: "안녕하세요 여러분" });
    expect(hit.highlights).toEqual([{ start: 6, length: 3 }]);
    await found(bob, "안녕", m.id);
    await found(bob, "하세", m.id);
    // English: substring and whole word, case-insensitive.
    const e = await send(alice, roomId, "Deploying the Kubernetes operator today");
    await found(bob, "kubernetes", e.id);
    await found(bob, "perat", e.id);
    expect((await search(bob, "operator tomorrow")).body.results).toEqual([]);
    expect((await search(bob, "   ")).status).toBe(400);
  });

  it("re-indexes edits and removes deleted messages", async () => {
    const m = await send(alice, roomId, "the old wording zebra");
    await found(bob, "zebra", m.id);
    expect(
      (await alice.http.patch(`/v1/rooms/${roomId}/messages/${m.seq}`, { body: "new giraffe" })).status,
    ).toBe(200);
    await found(bob, "giraffe", m.id);
    expect((await search(bob, "zebra")).body.results).toEqual([]);
    expect((await alice.http.del(`/v1/rooms/${roomId}/messages/${m.seq}`)).status).toBe(204);
    await until("the deleted message to leave the index", async () => {
      const r = await search(bob, "giraffe");
      return r.body.results.length === 0;
    });
  });

  it("pages newest first with a cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(alice, roomId, `paging marmot ${i}`)).id);
    await found(bob, "marmot", ids[4] as string);
    await until("all five", async () => (await search(bob, "marmot")).body.results.length === 5);
    const p1 = await search(bob, "marmot", "&limit=2");
    expect(p1.body.results.map((h: { id: string }) => h.id)).toEqual([ids[4], ids[3]]);
    const p2 = await search(bob, "marmot", `&limit=2&cursor=${p1.body.nextCursor}`);
    expect(p2.body.results.map((h: { id: string }) => h.id)).toEqual([ids[2], ids[1]]);
    const p3 = await search(bob, "marmot", `&limit=2&cursor=${p2.body.nextCursor}`);
    expect(p3.body.results.map((h: { id: string }) => h.id)).toEqual([ids[0]]);
    expect(p3.body.nextCursor).toBeNull();
    expect((await search(bob, "marmot", "&cursor=garbage")).status).toBe(400);
  });

  it("never returns a room the caller left or was kicked from", async () => {
    const dave = await registerUser(base, "dave");
    const priv = (await alice.http.post("/v1/rooms", { kind: "private", name: "secret" })).body.id;
    expect((await alice.http.post(`/v1/rooms/${priv}/members`, { userId: dave.id })).status).toBeLessThan(
      300,
    );
    expect((await alice.http.post(`/v1/rooms/${priv}/members`, { userId: carol.id })).status).toBeLessThan(
      300,
    );
    const m = await send(alice, priv, "quokka classified plans");
    await found(dave, "quokka", m.id);
    await found(carol, "quokka", m.id);
    expect((await carol.http.post(`/v1/rooms/${priv}/leave`)).status).toBeLessThan(300);
    expect((await alice.http.del(`/v1/rooms/${priv}/members/${dave.id}`)).status).toBeLessThan(300);
    for (const u of [carol, dave]) {
      expect((await search(u, "quokka")).body.results).toEqual([]);
      const scoped = await search(u, "quokka", `&roomId=${priv}`);
      expect(scoped.status).toBe(404);
    }
    // A non-member of a public room cannot search it either.
    const eve = await registerUser(base, "eve");
    expect((await search(eve, "quokka")).body.results).toEqual([]);
    expect((await search(eve, "marmot", `&roomId=${roomId}`)).status).toBe(403);
    expect((await search(alice, "quokka")).body.results.length).toBe(1);
  });

  it("notifies @mentions and @room only to members not looking at the room, never in a muted room", async () => {
    const bobSock = await connectSocket(base, bob.token);
    const carolSock = await connectSocket(base, carol.token);
    try {
      // Carol is looking at the room; Bob is not.
      expect((await call(carolSock, "room:focus", { roomId })).ok).toBe(true);
      const live = nextEvent(bobSock, "notification:new", 15_000);
      const m = await send(alice, roomId, `hey @${bob.username} and @${carol.username}, look`);
      const n = await live;
      expect(n).toMatchObject({ kind: "mention", roomId, seq: m.seq, actorId: alice.id, readAt: null });
      const all = await send(alice, roomId, "@room standup in 5");
      await until("bob's @room notification", async () => {
        const r = await bob.http.get("/v1/notifications");
        return r.body.notifications.some((x: { seq: number }) => x.seq === all.seq);
      });
      const bobList = (await bob.http.get("/v1/notifications")).body.notifications;
      expect(bobList.map((x: { kind: string; seq: number }) => [x.kind, x.seq])).toEqual([
        ["room_mention", all.seq],
        ["mention", m.seq],
      ]);
      // Carol was looking: nothing for her. Alice sent them: nothing for her.
      expect((await carol.http.get("/v1/notifications")).body.notifications).toEqual([]);
      expect((await alice.http.get("/v1/notifications")).body.notifications).toEqual([]);

      // Muted: no notification, but unread still counts.
      expect((await bob.http.put(`/v1/rooms/${roomId}/notifications`, { muted: true })).body).toEqual({
        roomId,
        muted: true,
      });
      const muted = await send(alice, roomId, `@${bob.username} you will not hear this`);
      await until("bob's unread counter to reach the muted message", async () => {
        const r = await bob.http.get("/v1/notifications/unread");
        const c = r.body.rooms.find((x: { roomId: number }) => x.roomId === roomId);
        return c && c.lastSeq >= muted.seq;
      });
      expect((await bob.http.get("/v1/notifications")).body.notifications.length).toBe(2);
      await bob.http.put(`/v1/rooms/${roomId}/notifications`, { muted: false });

      // Paging and mark read.
      const page = await bob.http.get("/v1/notifications?limit=1");
      expect(page.body.notifications.length).toBe(1);
      const rest = await bob.http.get(`/v1/notifications?limit=1&cursor=${page.body.nextCursor}`);
      expect(rest.body.notifications[0].seq).toBe(m.seq);
      const read = await bob.http.post("/v1/notifications/read", { ids: [page.body.notifications[0].id] });
      expect(read.body).toEqual({ updated: 1 });
      expect((await bob.http.get("/v1/notifications?unread=true")).body.notifications.length).toBe(1);
      expect((await bob.http.post("/v1/notifications/read", { all: true })).body).toEqual({ updated: 1 });
      expect((await bob.http.post("/v1/notifications/read", {})).status).toBe(400);

      // A read marker clears the counters (and arrives live).
      const counters = nextEvent<{ rooms: { roomId: number; unread: number; mentions: number }[] }>(
        bobSock,
        "notification:unread",
        15_000,
        (e) => e.rooms.some((r) => r.roomId === roomId && r.unread === 0),
      );
      expect((await bob.http.put(`/v1/rooms/${roomId}/read`, { seq: muted.seq })).status).toBeLessThan(300);
      const c = (await counters).rooms.find((r) => r.roomId === roomId);
      expect(c).toMatchObject({ unread: 0, mentions: 0 });
    } finally {
      bobSock.close();
      carolSock.close();
    }
  });

  it("notifies direct messages and pushes them to a signed webhook; failing webhooks are dead-lettered", async () => {
    const got: { headers: IncomingMessage["headers"]; body: string }[] = [];
    let fail = false;
    const hook: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => {
        body += d.toString();
      });
      req.on("end", () => {
        got.push({ headers: req.headers, body });
        res.statusCode = fail ? 500 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    try {
      const set = await bob.http.put("/v1/me/webhook", { url });
      expect(set.status).toBe(200);
      const secret: string = set.body.secret;
      const dm = await alice.http.post("/v1/rooms/direct", { userId: bob.id });
      expect(dm.status).toBeLessThan(300);
      const dmRoom: number = (dm.body.room ?? dm.body).id;
      const m = await send(alice, dmRoom, "psst, a direct message");
      await until("the webhook call", async () => got.length > 0);
      const first = got[0] as (typeof got)[number];
      const ts = String(first.headers["x-chat-timestamp"]);
      const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${first.body}`).digest("hex")}`;
      expect(first.headers["x-chat-signature"]).toBe(expected);
      expect(JSON.parse(first.body).notification).toMatchObject({ kind: "dm", roomId: dmRoom, seq: m.seq });

      fail = true;
      await send(alice, dmRoom, "this one will bounce");
      await until("the dead letter", async () => {
        const r = await bob.http.get("/v1/me/webhook/dead-letters");
        return r.body.deliveries.length === 1 ? r.body : null;
      });
      const info = (await bob.http.get("/v1/me/webhook")).body;
      expect(info.deliveries).toEqual({ pending: 0, delivered: 1, dead: 1 });
      expect(got.length).toBe(3); // 1 delivered + 2 attempts of the failing one
    } finally {
      hook.close();
      await bob.http.del("/v1/me/webhook");
    }
  });

  it("sends a poison event to the DLQ with the error, and later events still flow", async () => {
    const route = await app.directory.lookup(roomId);
    const pool = app.shards.pool(route?.shardId ?? 0);
    await pool.query("INSERT INTO outbox (room_id, event_type, payload) VALUES (?, 'message.created', ?)", [
      roomId,
      JSON.stringify({ roomId, seq: "not-a-number" }),
    ]);
    const after = await send(alice, roomId, "after the poison pill ocelot");
    await found(bob, "ocelot", after.id);
    const dlq = await until("two dead letters (one per consumer group)", async () => {
      const recs = await readTopic(brokers, `${prefix}events.v1.dlq`, 5000);
      return recs.length >= 2 ? recs : null;
    });
    expect(new Set(dlq.map((r) => r.headers["x-dlq-group"]))).toEqual(
      new Set([`${prefix}search`, `${prefix}notifications`]),
    );
    for (const r of dlq) {
      expect(r.headers["x-dlq-error"]).toMatch(/PoisonEventError: bad message.created data/);
      expect(r.key).toBe(String(roomId));
    }
    const [rows] = await app.catalog.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM processed_events WHERE consumer = 'notifications'",
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it("exports chat_outbox_backlog and chat_consumer_lag", async () => {
    await sleep(5500);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^chat_outbox_backlog\{shard="0"\} \d+$/m);
    expect(text).toMatch(
      new RegExp(`^chat_consumer_lag\\{group="${prefix.replace(".", "\\.")}search"\\} \\d+$`, "m"),
    );
  });
});
