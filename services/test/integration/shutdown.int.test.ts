// The one graceful path: stop accepting, mark not-ready, drain sockets, finish
// in-flight requests, close Redis and pools — and be idempotent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCluster, type TestCluster } from "../helpers/app.js";
import { call, connectSocket, registerUser } from "../helpers/client.js";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await createTestCluster();
});
afterAll(() => cluster?.close());

describe("graceful shutdown", () => {
  it("drains sockets and in-flight requests, then refuses connections", async () => {
    const app = await cluster.start();
    const base = app.url();
    const u = await registerUser(base);
    const roomId = (await u.http.post("/v1/rooms", { kind: "public", name: "bye" })).body.id;
    const s = await connectSocket(base, u.token);
    expect((await call(s, "room:subscribe", { roomId })).ok).toBe(true);
    const disconnected = new Promise<string>((resolve) => s.once("disconnect", resolve));

    // A send racing the stop either completes (and is durable) or never started.
    const inflight = u.http.post(`/v1/rooms/${roomId}/messages`, { body: "last words" }).catch(() => null);
    const started = Date.now();
    const stopping = app.stop();
    expect(app.stop()).toBe(stopping); // idempotent
    expect((await app.readiness()).ok).toBe(false);
    await stopping;
    expect(Date.now() - started).toBeLessThan(app.config.shutdownDeadlineMs);
    expect(await disconnected).toBeTruthy();
    s.close();
    const sent = await inflight;

    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // Whatever was acknowledged is committed: another instance sees it.
    const other = await cluster.start();
    const fresh = await fetch(`${other.url()}/v1/rooms/${roomId}/messages`, {
      headers: { authorization: `Bearer ${u.token}` },
    });
    const body = (await fresh.json()) as { messages: { body: string }[] };
    if (sent && sent.status === 201) expect(body.messages.map((m) => m.body)).toContain("last words");
  });
});
