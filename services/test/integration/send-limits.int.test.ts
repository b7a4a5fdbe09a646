// Send limits (issue 14, defect 4): one socket cannot flood a room, and REST and
// sockets share one per-user budget; refusals are 429 with a retry hint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { call, connectSocket, registerUser, type TestUser } from "../helpers/client.js";

let cluster: TestCluster;
let base: string;
let alice: TestUser;
let bob: TestUser;
let roomId: number;

beforeAll(async () => {
  cluster = await createTestCluster();
  base = (
    await cluster.start({ CHAT_RATE_SEND_PER_USER_PER_10S: "20", CHAT_RATE_SEND_PER_SOCKET_PER_10S: "10" })
  ).url();
  [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "limits" })).body.id;
  await bob.http.post(`/v1/rooms/${roomId}/join`);
});
afterAll(() => cluster?.close());

describe("send limits", () => {
  it("a socket's burst past its limit is refused with 429 and retryAfterSeconds", async () => {
    const s = await connectSocket(base, alice.token);
    try {
      const acks = await Promise.all(
        Array.from({ length: 30 }, (_, i) => call(s, "message:send", { roomId, body: `burst ${i}` })),
      );
      expect(acks.filter((a) => a.ok)).toHaveLength(10);
      const refused = acks.filter((a) => !a.ok);
      expect(refused).toHaveLength(20);
      for (const a of refused) {
        expect(a.error).toMatchObject({ code: "CHAT_RATE_LIMITED", status: 429 });
        expect(a.error.retryAfterSeconds).toBeGreaterThan(0);
      }
    } finally {
      s.disconnect();
    }
    const hist = await alice.http.get(`/v1/rooms/${roomId}/messages?limit=100`);
    expect(hist.body.messages).toHaveLength(10);
  });

  it("REST and sockets share the user's budget; REST says Retry-After", async () => {
    for (let i = 0; i < 15; i++) {
      expect((await bob.http.post(`/v1/rooms/${roomId}/messages`, { body: `rest ${i}` })).status).toBe(201);
    }
    const s = await connectSocket(base, bob.token);
    try {
      const acks = await Promise.all(
        Array.from({ length: 8 }, (_, i) => call(s, "message:send", { roomId, body: `sock ${i}` })),
      );
      expect(acks.filter((a) => a.ok)).toHaveLength(5);
    } finally {
      s.disconnect();
    }
    const limited = await bob.http.post(`/v1/rooms/${roomId}/messages`, { body: "one more" });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe("CHAT_RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
