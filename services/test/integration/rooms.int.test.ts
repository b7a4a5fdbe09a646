import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { HttpClient, registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let base: string;
let owner: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  cluster = await createTestCluster();
  const app = await cluster.start({ CHAT_ROOM_MEMBER_CAP: "3" });
  base = app.url();
  [owner, bob, carol] = await Promise.all([
    registerUser(base, "own"),
    registerUser(base, "bob"),
    registerUser(base, "carol"),
  ]);
});
afterAll(() => cluster?.close());

describe("rooms", () => {
  it("creates public and private rooms with the creator as owner", async () => {
    const r = await owner.http.post("/v1/rooms", {
      kind: "private",
      name: "  Secret 비밀 ",
      topic: "t",
      settings: { a: 1 },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      kind: "private",
      name: "Secret 비밀",
      topic: "t",
      settings: { a: 1 },
      myRole: "owner",
    });
    expect(r.body).toMatchObject({ memberCount: 1, lastSeq: 0, unread: 0 });
    expect((await owner.http.post("/v1/rooms", { kind: "direct", name: "x" })).status).toBe(400);
  });

  it("spreads new rooms over the least-loaded shard", async () => {
    for (let i = 0; i < 6; i++) await owner.http.post("/v1/rooms", { kind: "public", name: `r${i}` });
    const admin = new HttpClient(base, cluster.apps[0]!.config.auth.adminToken);
    const shards = await admin.get("/admin/shards");
    expect(shards.status).toBe(200);
    const counts = shards.body.shards.map((s: { rooms: number }) => s.rooms);
    expect(counts).toHaveLength(2);
    expect(Math.abs(counts[0] - counts[1])).toBeLessThanOrEqual(1);
    const room = await owner.http.post("/v1/rooms", { kind: "public", name: "lookup" });
    const entry = await admin.get(`/admin/rooms/${room.body.id}`);
    expect(entry.body).toMatchObject({ roomId: room.body.id, epoch: 1, state: "active" });
    expect([0, 1]).toContain(entry.body.shardId);
    expect((await admin.get("/admin/rooms/999999")).status).toBe(404);
  });

  it("reports the hottest rooms per shard on the admin API, without ids in metrics", async () => {
    const admin = new HttpClient(base, cluster.apps[0]!.config.auth.adminToken);
    const hot = (await owner.http.post("/v1/rooms", { kind: "public", name: "hot" })).body;
    const cool = (await owner.http.post("/v1/rooms", { kind: "public", name: "cool" })).body;
    for (let i = 0; i < 12; i++) {
      expect((await owner.http.post(`/v1/rooms/${hot.id}/messages`, { body: `h${i}` })).status).toBe(201);
    }
    expect((await owner.http.post(`/v1/rooms/${cool.id}/messages`, { body: "c" })).status).toBe(201);
    const { shardId } = (await admin.get(`/admin/rooms/${hot.id}`)).body;
    const heat = await admin.get("/admin/heat?limit=5");
    expect(heat.status).toBe(200);
    const shard = heat.body.shards.find((s: { shardId: number }) => s.shardId === shardId);
    expect(shard.rate).toBeGreaterThan(0);
    expect(shard.rooms[0].roomId).toBe(hot.id);
    expect((await new HttpClient(base).get("/admin/heat")).status).toBe(401);
    const metrics = await new HttpClient(base).get<string>("/metrics");
    expect(metrics.body).toContain("chat_messages_sent_total");
    expect(metrics.body).not.toMatch(/room(_id|Id)?="/);
  });

  it("opens one direct room per pair", async () => {
    const a = await owner.http.post("/v1/rooms/direct", { userId: bob.id });
    expect(a.status).toBe(201);
    expect(a.body.kind).toBe("direct");
    const b = await bob.http.post("/v1/rooms/direct", { userId: owner.id });
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect((await owner.http.post("/v1/rooms/direct", { userId: owner.id })).status).toBe(400);
    expect((await owner.http.post("/v1/rooms/direct", { userId: 999999 })).status).toBe(404);
    // Nobody else can see it, join it or be invited to it.
    expect((await carol.http.get(`/v1/rooms/${a.body.id}`)).status).toBe(404);
    expect((await carol.http.post(`/v1/rooms/${a.body.id}/join`)).status).toBe(404);
    expect((await owner.http.post(`/v1/rooms/${a.body.id}/members`, { userId: carol.id })).status).toBe(409);
  });

  it("joins public rooms, enforces the member cap and invites", async () => {
    const pub = (await owner.http.post("/v1/rooms", { kind: "public", name: "pub" })).body;
    const j = await bob.http.post(`/v1/rooms/${pub.id}/join`);
    expect(j.status).toBe(200);
    expect(j.body).toMatchObject({ myRole: "member", memberCount: 2 });
    expect((await bob.http.post(`/v1/rooms/${pub.id}/join`)).body.memberCount).toBe(2); // idempotent
    expect((await carol.http.post(`/v1/rooms/${pub.id}/join`)).status).toBe(200);
    const dan = await registerUser(base, "dan");
    const full = await dan.http.post(`/v1/rooms/${pub.id}/join`);
    expect(full.status).toBe(409);
    expect(full.body.code).toBe("CHAT_ROOM_FULL");

    const priv = (await owner.http.post("/v1/rooms", { kind: "private", name: "priv" })).body;
    expect((await bob.http.post(`/v1/rooms/${priv.id}/join`)).status).toBe(404);
    const inv = await owner.http.post(`/v1/rooms/${priv.id}/members`, { userId: bob.id });
    expect(inv.status).toBe(201);
    expect(inv.body).toMatchObject({ userId: bob.id, role: "member", username: bob.username });
    // Plain members cannot invite into a private room.
    const denied = await bob.http.post(`/v1/rooms/${priv.id}/members`, { userId: carol.id });
    expect(denied.status).toBe(403);
    expect((await owner.http.post(`/v1/rooms/${priv.id}/members`, { userId: 999999 })).status).toBe(404);
  });

  it("applies roles to update, kick, role changes, leave and delete", async () => {
    const room = (await owner.http.post("/v1/rooms", { kind: "private", name: "roles" })).body;
    await owner.http.post(`/v1/rooms/${room.id}/members`, { userId: bob.id });
    await owner.http.post(`/v1/rooms/${room.id}/members`, { userId: carol.id });

    expect((await bob.http.patch(`/v1/rooms/${room.id}`, { name: "nope" })).status).toBe(403);
    expect((await bob.http.del(`/v1/rooms/${room.id}/members/${carol.id}`)).status).toBe(403);
    const promote = await owner.http.patch(`/v1/rooms/${room.id}/members/${bob.id}`, { role: "admin" });
    expect(promote.body.role).toBe("admin");
    expect((await bob.http.patch(`/v1/rooms/${room.id}`, { topic: "new topic" })).body.topic).toBe(
      "new topic",
    );
    expect((await bob.http.patch(`/v1/rooms/${room.id}/members/${carol.id}`, { role: "admin" })).status).toBe(
      403,
    );
    expect((await bob.http.del(`/v1/rooms/${room.id}/members/${owner.id}`)).status).toBe(403);
    expect((await bob.http.del(`/v1/rooms/${room.id}`)).status).toBe(403);
    expect((await bob.http.del(`/v1/rooms/${room.id}/members/${carol.id}`)).status).toBe(204);
    expect((await carol.http.get(`/v1/rooms/${room.id}`)).status).toBe(404);
    expect((await bob.http.del(`/v1/rooms/${room.id}/members/${carol.id}`)).status).toBe(404);

    const leave = await owner.http.post(`/v1/rooms/${room.id}/leave`);
    expect(leave.status).toBe(409);
    expect(leave.body.code).toBe("CHAT_OWNER_CANNOT_LEAVE");
    // Transfer ownership, then the old owner (now admin) can leave.
    expect(
      (await owner.http.patch(`/v1/rooms/${room.id}/members/${bob.id}`, { role: "owner" })).body.role,
    ).toBe("owner");
    expect((await owner.http.post(`/v1/rooms/${room.id}/leave`)).status).toBe(204);
    expect((await owner.http.get(`/v1/rooms/${room.id}`)).status).toBe(404);

    const members = await bob.http.get(`/v1/rooms/${room.id}/members`);
    expect(members.body.members.map((m: { userId: number; role: string }) => [m.userId, m.role])).toEqual([
      [bob.id, "owner"],
    ]);
    expect((await bob.http.del(`/v1/rooms/${room.id}`)).status).toBe(204);
    expect((await bob.http.get(`/v1/rooms/${room.id}`)).status).toBe(404);
    expect((await bob.http.post(`/v1/rooms/${room.id}/messages`, { body: "hi" })).status).toBe(404);
  });

  it("lists my rooms with unread counts, paged", async () => {
    const u = await registerUser(base, "lister");
    const other = await registerUser(base, "poster");
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = (await other.http.post("/v1/rooms", { kind: "public", name: `list${i}` })).body;
      await u.http.post(`/v1/rooms/${r.id}/join`);
      ids.push(r.id);
    }
    for (let i = 0; i < 3; i++) await other.http.post(`/v1/rooms/${ids[0]}/messages`, { body: `m${i}` });
    await u.http.put(`/v1/rooms/${ids[0]}/read`, { seq: 1 });

    const page1 = await u.http.get("/v1/rooms?limit=2");
    expect(page1.body.rooms.map((r: { id: number }) => r.id)).toEqual(ids.slice(0, 2));
    expect(page1.body.rooms[0]).toMatchObject({ lastSeq: 3, lastReadSeq: 1, unread: 2, myRole: "member" });
    const page2 = await u.http.get(`/v1/rooms?limit=2&after=${page1.body.nextCursor}`);
    const page3 = await u.http.get(`/v1/rooms?limit=2&after=${page2.body.nextCursor}`);
    expect([...page2.body.rooms, ...page3.body.rooms].map((r: { id: number }) => r.id)).toEqual(ids.slice(2));
    expect(page3.body.nextCursor).toBeNull();

    await u.http.post(`/v1/rooms/${ids[1]}/leave`);
    const after = await u.http.get("/v1/rooms?limit=50");
    expect(after.body.rooms.map((r: { id: number }) => r.id)).not.toContain(ids[1]);
  });
});

describe("discovery", () => {
  it("lists public rooms only, paged, with my role where I am a member", async () => {
    const u = await registerUser(base, "browser");
    const seen: { id: number; kind: string; myRole?: string }[] = [];
    let cursor: number | null = null;
    do {
      const page: { body: { rooms: typeof seen; nextCursor: number | null } } = await u.http.get(
        `/v1/public-rooms?limit=3${cursor ? `&after=${cursor}` : ""}`,
      );
      seen.push(...page.body.rooms);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.every((r) => r.kind === "public")).toBe(true);
    expect(seen.every((r) => r.myRole === undefined)).toBe(true);
    const ids = seen.map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await u.http.post(`/v1/rooms/${ids[0]}/join`);
    const again = await u.http.get("/v1/public-rooms?limit=1");
    expect(again.body.rooms[0]).toMatchObject({ id: ids[0], myRole: "member" });
  });
});
