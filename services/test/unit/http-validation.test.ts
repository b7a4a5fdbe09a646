// Malformed, oversized and wrong-typed input on every documented route gets a 4xx
// problem+json — never a 5xx — and never reaches a service.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { calls, listen, stubApp, stubConfig } from "../helpers/stub-http.js";

const { app, api, tokens } = stubApp();
let srv: Awaited<ReturnType<typeof listen>>;
let token: string;
beforeAll(async () => {
  srv = await listen(app);
  token = await tokens.signAccess({ userId: 7, username: "tester" });
});
afterAll(() => srv.server.close());
beforeEach(() => {
  calls.length = 0;
});

const authFor = (auth: string) =>
  auth === "user" ? `Bearer ${token}` : auth === "admin" ? `Bearer ${stubConfig.auth.adminToken}` : undefined;

function fill(path: string, value: string): string {
  return path.replace(/:([A-Za-z]+)/g, () => value);
}

async function send(method: string, path: string, init: { body?: string; headers?: Record<string, string> }) {
  const m = method.toUpperCase();
  const body = m === "GET" || m === "HEAD" ? undefined : init.body;
  const res = await fetch(srv.base + path, { method: m, headers: init.headers, body });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") ?? "", text };
}

describe("input validation on every route", () => {
  const withBody = api.docs.filter((d) => d.body);
  const withParams = api.docs.filter((d) => d.params);
  const authed = api.docs.filter((d) => d.auth !== "none");

  it.each(withBody.map((d) => [d.method, d.path, d.auth] as const))(
    "%s %s: malformed JSON → 400",
    async (m, p, auth) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      const a = authFor(auth);
      if (a) headers.authorization = a;
      const r = await send(m, fill(p, "1"), { body: '{"a":', headers });
      expect(r.status).toBe(400);
      expect(r.type).toContain("application/problem+json");
      expect(JSON.parse(r.text).code).toBe("CHAT_MALFORMED_JSON");
    },
  );

  it.each(withBody.map((d) => [d.method, d.path, d.auth] as const))(
    "%s %s: oversized → 413",
    async (m, p, auth) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      const a = authFor(auth);
      if (a) headers.authorization = a;
      const r = await send(m, fill(p, "1"), { body: JSON.stringify({ body: "x".repeat(10_000) }), headers });
      expect(r.status).toBe(413);
      expect(JSON.parse(r.text).code).toBe("CHAT_PAYLOAD_TOO_LARGE");
    },
  );

  it.each(withBody.map((d) => [d.method, d.path, d.auth] as const))(
    "%s %s: wrong types → 400, never a service call",
    async (m, p, auth) => {
      const a = authFor(auth);
      for (const body of [
        "[]",
        "[1,2]",
        '{"unexpected":true}',
        '{"body":5,"name":[],"userId":"x","seq":-1}',
        "null",
      ]) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (a) headers.authorization = a;
        const r = await send(m, fill(p, "1"), { body, headers });
        expect(r.status, `${body} → ${r.text}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
      expect(calls).toEqual([]);
    },
  );

  it.each(withBody.map((d) => [d.method, d.path, d.auth] as const))(
    "%s %s: non-JSON body → 415",
    async (m, p, auth) => {
      const headers: Record<string, string> = { "content-type": "text/plain" };
      const a = authFor(auth);
      if (a) headers.authorization = a;
      const r = await send(m, fill(p, "1"), { body: "hello", headers });
      expect(r.status).toBe(415);
    },
  );

  it.each(withParams.map((d) => [d.method, d.path, d.auth] as const))(
    "%s %s: bad ids → 400",
    async (m, p, auth) => {
      const a = authFor(auth);
      // Shard ids are positions in the shard URL list, so 0 is a valid one.
      const zeroOk = p.includes(":shardId");
      for (const bad of ["abc", "0", "-1", "1.5", "0x10", "99999999999999999999", "%00"]) {
        if (bad === "0" && zeroOk) continue;
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (a) headers.authorization = a;
        const r = await send(m, fill(p, bad), { body: "{}", headers });
        expect(r.status, `${bad} → ${r.text}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
      expect(calls).toEqual([]);
    },
  );

  it.each(authed.map((d) => [d.method, d.path] as const))("%s %s: no or bad token → 401", async (m, p) => {
    for (const authorization of [undefined, "Bearer nope", "Basic abc", `Bearer ${token}x`]) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (authorization) headers.authorization = authorization;
      const r = await send(m, fill(p, "1"), { body: "{}", headers });
      expect(r.status).toBe(401);
      expect(JSON.parse(r.text).code).toBe("CHAT_UNAUTHENTICATED");
    }
    expect(calls).toEqual([]);
  });

  it("rejects a user token on admin routes and an expired token anywhere", async () => {
    expect(
      (await send("get", "/admin/shards", { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
  });

  it("answers unknown routes with a 404 problem", async () => {
    const r = await send("get", "/v1/nope", {});
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).code).toBe("CHAT_ROUTE_NOT_FOUND");
  });

  it("rejects bad query strings", async () => {
    const h = { authorization: `Bearer ${token}` };
    for (const q of ["limit=0", "limit=abc", "limit=100000", "before=-3", "after=1&after=2", "limit=5.5"]) {
      const r = await send("get", `/v1/rooms/1/messages?${q}`, { headers: h });
      expect(r.status, q).toBe(400);
    }
    expect((await send("get", "/v1/users?prefix=", { headers: h })).status).toBe(400);
    expect(calls).toEqual([]);
  });

  it("never leaks internals when a service throws", async () => {
    const boom = stubApp({
      rooms: new Proxy(
        {},
        { get: () => async () => Promise.reject(new Error("ER_SYNTAX near 'SELECT *'")) },
      ) as never,
    });
    const s = await listen(boom.app);
    try {
      const r = await fetch(`${s.base}/v1/rooms/1`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      expect(r.status).toBe(500);
      expect(text).not.toMatch(/SELECT|ER_SYNTAX|at .*\.ts/);
      expect(JSON.parse(text).code).toBe("CHAT_INTERNAL");
    } finally {
      s.server.close();
    }
  });
});
