// The authorization matrix: an outsider (never a member, or kicked) can do nothing
// in a room, over REST or sockets. Private and direct rooms answer 404 (their
// existence is not revealed); public rooms answer 403 CHAT_NOT_A_MEMBER.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientEventSchemas } from "../../src/realtime/schemas.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { type ChatSocket, call, connectSocket, registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let base: string;
let owner: TestUser;
let outsider: TestUser;
let kicked: TestUser;
let sock: ChatSocket;
let kickedSock: ChatSocket;
const rooms: Record<string, number> = {};

beforeAll(async () => {
  cluster = await createTestCluster();
  base = (await cluster.start()).url();
  [owner, outsider, kicked] = await Promise.all([
    registerUser(base, "own"),
    registerUser(base, "out"),
    registerUser(base, "kick"),
  ]);
  const friend = await registerUser(base, "friend");
  for (const kind of ["public", "private"] as const) {
    const id = (await owner.http.post("/v1/rooms", { kind, name: kind })).body.id as number;
    await owner.http.post(`/v1/rooms/${id}/members`, { userId: kicked.id });
    await owner.http.post(`/v1/rooms/${id}/messages`, { body: "secret" });
    await owner.http.del(`/v1/rooms/${id}/members/${kicked.id}`);
    rooms[kind] = id;
  }
  rooms.direct = (await owner.http.post("/v1/rooms/direct", { userId: friend.id })).body.id;
  await owner.http.post(`/v1/rooms/${rooms.direct}/messages`, { body: "dm secret" });
  sock = await connectSocket(base, outsider.token);
  kickedSock = await connectSocket(base, kicked.token);
});
afterAll(async () => {
  sock?.disconnect();
  kickedSock?.disconnect();
  await cluster?.close();
});

const expected = (kind: string) =>
  kind === "public"
    ? { status: 403, code: "CHAT_NOT_A_MEMBER" }
    : { status: 404, code: "CHAT_ROOM_NOT_FOUND" };

const restCells: [
  string,
  (u: TestUser, id: number) => Promise<{ status: number; body: { code: string } }>,
][] = [
  ["read history", (u, id) => u.http.get(`/v1/rooms/${id}/messages`)],
  ["read one message", (u, id) => u.http.get(`/v1/rooms/${id}/messages/1`)],
  ["send", (u, id) => u.http.post(`/v1/rooms/${id}/messages`, { body: "hi" })],
  ["edit", (u, id) => u.http.patch(`/v1/rooms/${id}/messages/1`, { body: "x" })],
  ["delete a message", (u, id) => u.http.del(`/v1/rooms/${id}/messages/1`)],
  ["react", (u, id) => u.http.put(`/v1/rooms/${id}/messages/1/reactions/x`)],
  ["unreact", (u, id) => u.http.del(`/v1/rooms/${id}/messages/1/reactions/x`)],
  ["mark read", (u, id) => u.http.put(`/v1/rooms/${id}/read`, { seq: 1 })],
  ["list members", (u, id) => u.http.get(`/v1/rooms/${id}/members`)],
  ["invite", (u, id) => u.http.post(`/v1/rooms/${id}/members`, { userId: u.id })],
  ["kick", (u, id) => u.http.del(`/v1/rooms/${id}/members/${owner.id}`)],
  ["change a role", (u, id) => u.http.patch(`/v1/rooms/${id}/members/${owner.id}`, { role: "member" })],
  ["update the room", (u, id) => u.http.patch(`/v1/rooms/${id}`, { name: "pwned" })],
  ["delete the room", (u, id) => u.http.del(`/v1/rooms/${id}`)],
  ["leave", (u, id) => u.http.post(`/v1/rooms/${id}/leave`)],
];

const socketCells: [string, string, (roomId: number) => unknown][] = [
  ["subscribe to the channel", "room:subscribe", (roomId) => ({ roomId })],
  ["send", "message:send", (roomId) => ({ roomId, body: "hi" })],
  ["sync", "sync", (roomId) => ({ roomId, afterSeq: 0 })],
  ["edit", "message:edit", (roomId) => ({ roomId, seq: 1, body: "x" })],
  ["delete", "message:delete", (roomId) => ({ roomId, seq: 1 })],
  ["react", "reaction:add", (roomId) => ({ roomId, seq: 1, emoji: "x" })],
  ["unreact", "reaction:remove", (roomId) => ({ roomId, seq: 1, emoji: "x" })],
  ["mark read", "read:mark", (roomId) => ({ roomId, seq: 1 })],
  ["focus the room", "room:focus", (roomId) => ({ roomId })],
];

describe.each(["outsider", "kicked member"])("%s", (who) => {
  const user = () => (who === "outsider" ? outsider : kicked);
  const socket = () => (who === "outsider" ? sock : kickedSock);

  for (const kind of ["public", "private", "direct"]) {
    it.each(restCells)(`REST ${kind}: cannot %s`, async (_name, fn) => {
      const r = await fn(user(), rooms[kind]!);
      // Direct rooms answer 404 even where the action would be meaningless there.
      expect({ status: r.status, code: r.body.code }).toEqual(expected(kind));
    });
    it.each(socketCells)(`socket ${kind}: cannot %s (%s)`, async (_name, event, payload) => {
      const r = await call(socket(), event, payload(rooms[kind]!));
      expect(r.ok).toBe(false);
      expect({ status: r.error.status, code: r.error.code }).toEqual(expected(kind));
    });
  }

  it("cannot see private or direct rooms, nor any room in their list", async () => {
    expect((await user().http.get(`/v1/rooms/${rooms.private}`)).status).toBe(404);
    expect((await user().http.get(`/v1/rooms/${rooms.direct}`)).status).toBe(404);
    expect((await user().http.get("/v1/rooms")).body.rooms).toEqual([]);
    // Public rooms are discoverable by id, without membership details.
    const pub = await user().http.get(`/v1/rooms/${rooms.public}`);
    expect(pub.status).toBe(200);
    expect(pub.body.myRole).toBeUndefined();
  });

  it("cannot join a private room's channel or signal typing in it", async () => {
    const t = await call(socket(), "typing", { roomId: rooms.private });
    expect(t.error.code).toBe("CHAT_NOT_A_MEMBER");
  });
});

it("covers every socket event in the matrix or elsewhere", () => {
  // Events that take no room-scoped action are listed explicitly; a new event must be
  // added to the matrix above or here, consciously.
  const covered = new Set([...socketCells.map(([, event]) => event), "typing"]);
  const others = new Set(["room:unsubscribe", "presence:set", "presence:subscribe"]);
  for (const e of Object.keys(clientEventSchemas)) expect(covered.has(e) || others.has(e), e).toBe(true);
});
