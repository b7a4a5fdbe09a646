// Every change a room goes through leaves outbox rows whose payloads match the event
// contract of the pipeline (src/contracts/events.ts), in commit order per room.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { eventDataSchemas, isKnownType } from "../../src/contracts/events.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { registerUser } from "../helpers/client.js";

let cluster: TestCluster;
let app: ChatApp;
beforeAll(async () => {
  cluster = await createTestCluster();
  app = await cluster.start();
});
afterAll(() => cluster?.close());

describe("outbox contract", () => {
  it("writes one valid event per change, in order", async () => {
    const [a, b] = await Promise.all([registerUser(app.url(), "oa"), registerUser(app.url(), "ob")]);
    const room = (await a.http.post("/v1/rooms", { kind: "private", name: "contract" })).body.id as number;
    await a.http.patch(`/v1/rooms/${room}`, { topic: "t", settings: { x: 1 } });
    await a.http.post(`/v1/rooms/${room}/members`, { userId: b.id });
    await a.http.patch(`/v1/rooms/${room}/members/${b.id}`, { role: "admin" });
    const m = (
      await b.http.post(`/v1/rooms/${room}/messages`, { body: `hi @${a.username}`, clientMsgId: "c" })
    ).body;
    await b.http.post(`/v1/rooms/${room}/messages`, { body: "hi again", clientMsgId: "c" }); // duplicate: no event
    await b.http.patch(`/v1/rooms/${room}/messages/${m.seq}`, { body: "edited" });
    await a.http.put(`/v1/rooms/${room}/messages/${m.seq}/reactions/ok`);
    await a.http.del(`/v1/rooms/${room}/messages/${m.seq}/reactions/ok`);
    await a.http.put(`/v1/rooms/${room}/read`, { seq: 1 });
    await a.http.put(`/v1/rooms/${room}/read`, { seq: 1 }); // no movement: no event
    await a.http.del(`/v1/rooms/${room}/messages/${m.seq}`);
    await a.http.del(`/v1/rooms/${room}/members/${b.id}`);
    await a.http.del(`/v1/rooms/${room}`);

    const route = await app.directory.lookup(room);
    const [rows] = await app.shards
      .pool(route!.shardId)
      .query("SELECT event_type, payload FROM outbox WHERE room_id = ? ORDER BY id", [room]);
    const events = rows as { event_type: string; payload: string }[];
    expect(events.map((e) => e.event_type)).toEqual([
      "room.created",
      "room.updated",
      "member.joined",
      "member.role",
      "message.created",
      "message.edited",
      "reaction.added",
      "reaction.removed",
      "read.marker",
      "message.deleted",
      "member.left",
      "room.deleted",
    ]);
    for (const e of events) {
      expect(isKnownType(e.event_type), e.event_type).toBe(true);
      if (!isKnownType(e.event_type)) continue;
      const parsed = eventDataSchemas[e.event_type].safeParse(JSON.parse(e.payload));
      expect(parsed.success, `${e.event_type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });
});
