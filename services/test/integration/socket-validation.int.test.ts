// Malformed, wrong-typed and oversized socket payloads get error acks (4xx), never a
// crash: after the barrage the same socket still works.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatApp } from "../../src/app.js";
import { clientEventSchemas } from "../../src/realtime/schemas.js";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import {
  type ChatSocket,
  call,
  connectSocket,
  registerUser,
  sleep,
  type TestUser,
} from "../helpers/client.js";

let cluster: TestCluster;
let app: ChatApp;
let user: TestUser;
let s: ChatSocket;
let roomId: number;

beforeAll(async () => {
  cluster = await createTestCluster();
  app = await cluster.start({ CHAT_MESSAGE_MAX_LENGTH: "50" });
  user = await registerUser(app.url());
  roomId = (await user.http.post("/v1/rooms", { kind: "public", name: "v" })).body.id;
  s = await connectSocket(app.url(), user.token);
});
afterAll(async () => {
  s?.disconnect();
  await cluster?.close();
});

const garbage: unknown[] = [
  undefined,
  null,
  "string",
  42,
  true,
  [],
  [1, 2],
  {},
  { roomId: "1" },
  { roomId: -1 },
  { roomId: 1.5 },
  { roomId: 1e300 },
  { roomId: 1, seq: "x", body: 5, emoji: "", afterSeq: -1, status: "busy", userIds: "all" },
  { roomId: 1, unexpected: { deep: [1, 2, 3] } },
  { __proto__: { roomId: 1 } },
];

describe("socket payload validation", () => {
  it.each(Object.keys(clientEventSchemas))(
    "%s: every garbage payload gets a 4xx error ack",
    async (event) => {
      for (const payload of garbage) {
        const r = await call(s, event, payload);
        expect(r.ok, `${event} ${JSON.stringify(payload)}`).toBe(false);
        expect(r.error.status).toBeGreaterThanOrEqual(400);
        expect(r.error.status).toBeLessThan(500);
        expect(JSON.stringify(r)).not.toMatch(/stack|SELECT|at .*\.ts/);
      }
    },
  );

  it("rejects over-long and blank bodies with a validation error", async () => {
    const long = await call(s, "message:send", { roomId, body: "x".repeat(51) });
    expect(long.error).toMatchObject({ code: "CHAT_VALIDATION_FAILED", status: 400 });
    const blank = await call(s, "message:send", { roomId, body: " \n " });
    expect(blank.error.code).toBe("CHAT_VALIDATION_FAILED");
  });

  it("survives events without acks, unknown events and extra arguments", async () => {
    const raw = s as unknown as { emit: (...a: unknown[]) => void };
    raw.emit("message:send", { roomId, body: "no ack" });
    raw.emit("message:send", "garbage-no-ack");
    raw.emit("no-such-event", { x: 1 }, () => {});
    raw.emit("sync", 1, 2, 3);
    await sleep(200);
    expect(s.connected).toBe(true);
    const ok = await call(s, "message:send", { roomId, body: "still alive" });
    expect(ok).toMatchObject({ ok: true, seq: 2 });
  });

  it("drops a socket that sends a frame above the transport limit, and keeps serving others", async () => {
    const big = await connectSocket(app.url(), user.token);
    const closed = new Promise<string>((resolve) => big.once("disconnect", (reason) => resolve(reason)));
    big.emit("message:send", { roomId, body: "x".repeat(1_200_000) }, () => {});
    expect(await closed).toBeTruthy();
    big.close();
    expect((await call(s, "sync", { roomId, afterSeq: 0 })).ok).toBe(true);
    expect((await fetch(`${app.url()}/healthz`)).status).toBe(200);
  });
});
