import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChatApp, createChatApp } from "../../src/app.js";
import { HttpClient, registerUser } from "../helpers/client.js";
import { createTestDatabases, type TestDatabases, testConfig } from "../helpers/infra.js";

let dbs: TestDatabases;
let app: ChatApp;
let base: string;

beforeAll(async () => {
  dbs = await createTestDatabases();
  app = await createChatApp(testConfig(dbs));
  await app.listen();
  base = app.url();
});

afterAll(async () => {
  await app?.stop();
  await dbs?.drop();
});

describe("smoke", () => {
  it("serves health and readiness", async () => {
    const c = new HttpClient(base);
    expect((await c.get("/healthz")).status).toBe(200);
    const r = await c.get("/readyz");
    expect(r.status).toBe(200);
    expect(r.body.checks).toMatchObject({ catalog: "ok", redis: "ok", "shard-0": "ok", "shard-1": "ok" });
  });

  it("registers, creates a room, sends and reads history", async () => {
    const u = await registerUser(base);
    const room = await u.http.post("/v1/rooms", { kind: "public", name: "general" });
    expect(room.status).toBe(201);
    const sent = await u.http.post(`/v1/rooms/${room.body.id}/messages`, {
      body: "안녕하세요 @nobody",
      clientMsgId: "c1",
    });
    expect(sent.status).toBe(201);
    expect(sent.body.seq).toBe(1);
    const again = await u.http.post(`/v1/rooms/${room.body.id}/messages`, {
      body: "안녕하세요 @nobody",
      clientMsgId: "c1",
    });
    expect(again.status).toBe(200);
    expect(again.body.seq).toBe(1);
    const hist = await u.http.get(`/v1/rooms/${room.body.id}/messages`);
    expect(hist.status).toBe(200);
    expect(hist.body.messages.map((m: { body: string }) => m.body)).toEqual(["안녕하세요 @nobody"]);
  });

  it("reports not-ready (503) without internals when a shard is unreachable", async () => {
    const other = await createChatApp(testConfig(dbs));
    await other.listen();
    try {
      await other.shards.pool(1).end();
      const r = await new HttpClient(other.url()).get("/readyz");
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({
        status: "unavailable",
        checks: { "shard-1": "unavailable", "shard-0": "ok" },
      });
      expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|closed|Error/i);
    } finally {
      await other.stop();
    }
  });
});
