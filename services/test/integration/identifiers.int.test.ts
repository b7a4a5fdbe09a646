// Identifiers compare as bytes (issue 14, defects 1 and 2): clientMsgIds that differ
// only in case are distinct keys, and every distinct emoji is its own reaction —
// supplementary-plane emoji, `ok`/`OK` and `❤️`/`❤` included.
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
  base = (await cluster.start()).url();
  [alice, bob] = await Promise.all([registerUser(base, "alice"), registerUser(base, "bob")]);
  roomId = (await alice.http.post("/v1/rooms", { kind: "public", name: "ids" })).body.id;
  await bob.http.post(`/v1/rooms/${roomId}/join`);
});
afterAll(() => cluster?.close());

const send = (u: TestUser, body: string, clientMsgId: string) =>
  u.http.post(`/v1/rooms/${roomId}/messages`, { body, clientMsgId });

describe("identifier columns compare as bytes", () => {
  it("clientMsgIds differing only in letter case are different messages (REST and socket)", async () => {
    const a = await send(alice, "x", "abc-Q");
    const b = await send(alice, "y", "ABC-q");
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.seq).toBe(a.body.seq + 1);
    // A true retry still returns the original.
    const again = await send(alice, "x again", "ABC-q");
    expect(again.status).toBe(200);
    expect(again.body.seq).toBe(b.body.seq);

    const s = await connectSocket(base, alice.token);
    try {
      const ack1 = await call(s, "message:send", { roomId, body: "s1", clientMsgId: "sock-Z" });
      const ack2 = await call(s, "message:send", { roomId, body: "s2", clientMsgId: "SOCK-z" });
      expect(ack1.ok && ack2.ok).toBe(true);
      expect(ack2.seq).toBe(ack1.seq + 1);
    } finally {
      s.disconnect();
    }
  });

  it("keeps every distinct emoji apart and REST agrees with the live counts", async () => {
    const seq = (await send(alice, "react to me", "react-1")).body.seq;
    const react = (u: TestUser, emoji: string, add = true) =>
      u.http[add ? "put" : "del"](
        `/v1/rooms/${roomId}/messages/${seq}/reactions/${encodeURIComponent(emoji)}`,
      );
    const reactions = async () =>
      (await alice.http.get(`/v1/rooms/${roomId}/messages?limit=50`)).body.messages.find(
        (m: { seq: number }) => m.seq === seq,
      ).reactions as { emoji: string; count: number }[];
    const sorted = (r: { emoji: string; count: number }[]) =>
      [...r].sort((x, y) => (x.emoji < y.emoji ? -1 : x.emoji > y.emoji ? 1 : 0));

    for (const e of ["👍", "😂"]) expect((await react(alice, e)).status).toBe(200);
    expect((await react(bob, "🎉")).status).toBe(200);
    for (const e of ["ok", "OK", "❤️", "❤"]) expect((await react(bob, e)).status).toBe(200);
    expect(sorted(await reactions())).toEqual(
      sorted(["👍", "😂", "🎉", "ok", "OK", "❤️", "❤"].map((emoji) => ({ emoji, count: 1 }))),
    );
    // Removing one emoji leaves the others (A's 👍 used to vanish with 😂).
    expect((await react(alice, "😂", false)).status).toBe(200);
    const after = await reactions();
    expect(after.find((r) => r.emoji === "👍")).toEqual({ emoji: "👍", count: 1 });
    expect(after.find((r) => r.emoji === "😂")).toBeUndefined();
    expect(after).toHaveLength(6);
  });
});
