// The Prometheus and admin clients against a real local HTTP server: what they send, what they parse, and
// how failures read.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminError, PlatformAdmin } from "./admin.js";
import { PrometheusClient, PrometheusError, parseShardRates, shardRateQuery } from "./prometheus.js";

let server: Server;
let base = "";
const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
let reply: (req: IncomingMessage) => { status: number; body: unknown } = () => ({ status: 200, body: {} });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const r = reply(req);
      res.writeHead(r.status, { "content-type": "application/json" }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A local port nobody listens on. */
async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe("prometheus client", () => {
  it("builds the per-shard rate query, with and without a selector", () => {
    expect(shardRateQuery("", "1m")).toBe("sum by (shard) (rate(chat_messages_sent_total[1m]))");
    expect(shardRateQuery(' namespace="a",job="p" ', "30s")).toBe(
      'sum by (shard) (rate(chat_messages_sent_total{namespace="a",job="p"}[30s]))',
    );
  });

  it("parses a vector by shard and ignores series without a shard id", () => {
    const rates = parseShardRates({
      status: "success",
      data: {
        resultType: "vector",
        result: [
          { metric: { shard: "0" }, value: [1, "12.5"] },
          { metric: { shard: "1" }, value: [1, "NaN"] },
          { metric: {}, value: [1, "3"] },
          { metric: { shard: "2" }, value: [1, "-1"] },
        ],
      },
    });
    expect([...rates]).toEqual([
      [0, 12.5],
      [2, 0],
    ]);
    expect(() => parseShardRates({ status: "error", error: "bad_data" })).toThrow(PrometheusError);
  });

  it("queries /api/v1/query and reports HTTP errors and unreachable servers readably", async () => {
    reply = () => ({
      status: 200,
      body: {
        status: "success",
        data: { resultType: "vector", result: [{ metric: { shard: "1" }, value: [0, "4"] }] },
      },
    });
    const rates = await new PrometheusClient(`${base}/`).shardWriteRates('job="x"', "1m");
    expect(rates.get(1)).toBe(4);
    const q = new URL(seen.at(-1)?.url ?? "", base);
    expect(q.pathname).toBe("/api/v1/query");
    expect(q.searchParams.get("query")).toBe('sum by (shard) (rate(chat_messages_sent_total{job="x"}[1m]))');

    reply = () => ({ status: 400, body: { status: "error", error: "parse error at char 5" } });
    await expect(new PrometheusClient(base).shardWriteRates("", "1m")).rejects.toThrow(
      /HTTP 400: parse error/,
    );
    const closed = await closedPort();
    await expect(new PrometheusClient(closed).shardWriteRates("", "1m")).rejects.toThrow(
      `cannot reach Prometheus at ${closed}: ECONNREFUSED`,
    );
  });
});

describe("admin client", () => {
  it("sends the bearer token and the contract's bodies", async () => {
    reply = (req) =>
      req.url === "/admin/moves"
        ? {
            status: 202,
            body: { move: { id: "mv-1", roomId: 7, fromShard: 0, toShard: 2, state: "Pending" } },
          }
        : { status: 200, body: { shards: [{ shardId: 0, state: "active", rooms: 4 }] } };
    const admin = new PlatformAdmin(base, "s3cret-token-value");
    expect(await admin.shards()).toEqual([{ shardId: 0, state: "active", rooms: 4 }]);
    expect(seen.at(-1)).toMatchObject({
      method: "GET",
      url: "/admin/shards",
      auth: "Bearer s3cret-token-value",
    });
    const move = await admin.startMove(7, 2, "hot");
    expect(move).toMatchObject({ id: "mv-1", state: "Pending" });
    expect(JSON.parse(seen.at(-1)?.body ?? "")).toEqual({ roomId: 7, toShard: 2, reason: "hot" });
  });

  it("problem+json errors carry status and code; the token is in no message", async () => {
    reply = () => ({
      status: 409,
      body: { code: "CHAT_MOVE_CONFLICT", title: "conflict", detail: "room 7 is moving" },
    });
    const admin = new PlatformAdmin(base, "s3cret-token-value");
    const err = await admin.startMove(7, 2, "hot").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminError);
    expect(err).toMatchObject({ status: 409, code: "CHAT_MOVE_CONFLICT", unavailable: false });
    expect((err as Error).message).toBe("POST /admin/moves: HTTP 409 CHAT_MOVE_CONFLICT: room 7 is moving");
    const down = await new PlatformAdmin(await closedPort(), "s3cret-token-value")
      .heat()
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0, unavailable: true });
    expect(String((down as Error).message)).not.toContain("s3cret");
  });
});
