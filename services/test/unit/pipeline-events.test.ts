import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { EVENT_TYPES, eventJsonSchemas, PoisonEventError, parseEvent } from "../../src/contracts/events.js";
import { planMessage, ROOM_MENTION_RE, snippet } from "../../src/notifications/consumer.js";
import { backoffDelay, sign } from "../../src/notifications/webhook.js";
import { toRecord } from "../../src/pipeline/relay.js";

const docs = resolve(dirname(fileURLToPath(import.meta.url)), "../../../docs/events");

const row = (over: Record<string, unknown> = {}) => ({
  id: 7,
  room_id: 42,
  event_type: "message.deleted",
  payload: JSON.stringify({ roomId: 42, seq: 3, by: 1, deletedAt: "2026-01-01T00:00:00.000Z" }),
  created_at: new Date("2026-01-01T00:00:00.000Z"),
  ...over,
});

describe("v1 events", () => {
  it("docs/events matches the schemas in code (regenerate: npx tsx services/scripts/gen-event-schemas.ts)", () => {
    const want = eventJsonSchemas();
    const files = readdirSync(docs).filter((f) => f.endsWith(".schema.json"));
    expect(files.sort()).toEqual(
      Object.keys(want)
        .map((k) => `${k}.schema.json`)
        .sort(),
    );
    for (const [name, schema] of Object.entries(want)) {
      expect(JSON.parse(readFileSync(resolve(docs, `${name}.schema.json`), "utf8")), name).toEqual(schema);
    }
    expect(EVENT_TYPES).toContain("read.marker");
  });

  it("relays an outbox row as a keyed, versioned envelope", () => {
    const rec = toRecord(2, row() as never);
    expect(rec.key).toBe("42");
    expect(rec.headers).toEqual({ "event-id": "2:7", "event-type": "message.deleted", "event-version": "1" });
    const e = parseEvent(rec.value);
    expect(e).toMatchObject({ v: 1, id: "2:7", type: "message.deleted", roomId: 42, shard: 2, outboxId: 7 });
    expect(e.occurredAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("rejects poison (bad JSON, bad envelope, bad data) and passes unknown types through", () => {
    expect(() => parseEvent("{")).toThrow(PoisonEventError);
    expect(() => parseEvent(JSON.stringify({ v: 2 }))).toThrow(/bad envelope/);
    const bad = toRecord(0, row({ payload: JSON.stringify({ roomId: 42, seq: "x" }) }) as never);
    expect(() => parseEvent(bad.value)).toThrow(/bad message.deleted data/);
    const unparsable = toRecord(0, row({ payload: "not json" }) as never);
    expect(() => parseEvent(unparsable.value)).toThrow(PoisonEventError);
    const future = toRecord(0, row({ event_type: "room.archived", payload: "{}" }) as never);
    expect(parseEvent(future.value).type).toBe("room.archived");
  });
});

describe("notifications helpers", () => {
  const msg = (body: string, mentions: number[] = []) =>
    ({
      v: 1,
      id: "0:1",
      type: "message.created",
      roomId: 5,
      shard: 0,
      outboxId: 1,
      occurredAt: "2026-01-01T00:00:00.000Z",
      data: {
        id: "5:1",
        roomId: 5,
        seq: 1,
        senderId: 1,
        body,
        parentSeq: null,
        mentions: mentions.map((userId) => ({ userId, username: `u${userId}` })),
        clientMsgId: null,
        createdAt: "2026-01-01T00:00:00.000Z",
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    }) as const;

  it("plans who gets what: dm > mention > @room, never the sender, only members", () => {
    const members = [1, 2, 3];
    const plain = planMessage(msg("hello") as never, "public", members);
    expect(plain.recipients).toEqual([2, 3]);
    expect([...plain.wanted]).toEqual([]);
    const mention = planMessage(msg("hi @u2 @u9", [2, 9]) as never, "public", members);
    expect([...mention.wanted]).toEqual([[2, "mention"]]);
    const room = planMessage(msg("@room hi @u2", [2]) as never, "private", members);
    expect([...room.wanted]).toEqual([
      [2, "mention"],
      [3, "room_mention"],
    ]);
    const dm = planMessage(msg("@room psst", []) as never, "direct", [1, 2]);
    expect([...dm.wanted]).toEqual([[2, "dm"]]);
    const self = planMessage(msg("note to @u1", [1]) as never, "public", members);
    expect([...self.wanted]).toEqual([]);
  });

  it("finds @room like a mention, not inside words or e-mail addresses", () => {
    expect(ROOM_MENTION_RE.test("@room standup")).toBe(true);
    expect(ROOM_MENTION_RE.test("hey @ROOM.")).toBe(true);
    expect(ROOM_MENTION_RE.test("me@room.com")).toBe(false);
    expect(ROOM_MENTION_RE.test("@roommate")).toBe(false);
  });

  it("makes snippets of at most 140 characters", () => {
    expect(snippet("a\n\n b")).toBe("a b");
    const s = snippet("가".repeat(500));
    expect(Array.from(s)).toHaveLength(140);
    expect(s.endsWith("…")).toBe(true);
  });

  it("signs webhook bodies with HMAC-SHA256 over timestamp.body", () => {
    // Reference value: printf '1700000000.{}' | openssl dgst -sha256 -hmac secret
    expect(sign("secret", 1700000000, "{}")).toBe(
      "sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163",
    );
  });

  it("backs off exponentially with jitter", () => {
    expect(backoffDelay(1000, 1, () => 0.5)).toBe(1000);
    expect(backoffDelay(1000, 3, () => 0.5)).toBe(4000);
    expect(backoffDelay(1000, 3, () => 0)).toBe(3200);
    expect(backoffDelay(1000, 40, () => 0.5)).toBe(3_600_000);
  });
});

describe("pipeline config", () => {
  const base = {
    CHAT_MYSQL_CATALOG_URL: "mysql://u:p@127.0.0.1:3306/chat",
    CHAT_MYSQL_SHARD_URLS: "mysql://u:p@127.0.0.1:3307/chat",
    CHAT_REDIS_URL: "redis://127.0.0.1:6379",
    CHAT_JWT_SECRET: "x".repeat(32),
    CHAT_ADMIN_TOKEN: "a".repeat(16),
  };
  it("defaults to the in-process bus and parses brokers", () => {
    expect(loadConfig(base).pipeline.kafkaBrokers).toEqual([]);
    const c = loadConfig({ ...base, CHAT_KAFKA_BROKERS: "k1:9092, k2:9092", CHAT_KAFKA_PARTITIONS: "6" });
    expect(c.pipeline).toMatchObject({
      kafkaBrokers: ["k1:9092", "k2:9092"],
      partitions: 6,
      topicPrefix: "chat.",
    });
    expect(() => loadConfig({ ...base, CHAT_KAFKA_BROKERS: "not a broker" })).toThrow(/CHAT_KAFKA_BROKERS/);
  });

  it("takes what the operator sets for an external Kafka: TLS, SASL, partitions 0 (broker default)", () => {
    const c = loadConfig({
      ...base,
      CHAT_KAFKA_BROKERS: "b:9093",
      CHAT_KAFKA_TLS: "true",
      CHAT_KAFKA_PARTITIONS: "0",
      CHAT_KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      CHAT_KAFKA_USERNAME: "chat",
      CHAT_KAFKA_PASSWORD: "hunter2-secret",
    });
    expect(c.pipeline).toMatchObject({ tls: true, partitions: 0 });
    expect(c.pipeline.sasl).toEqual({
      mechanism: "SCRAM-SHA-512",
      username: "chat",
      password: "hunter2-secret",
    });
    expect(loadConfig(base).pipeline).toMatchObject({ tls: false, sasl: null });
    let message = "";
    try {
      loadConfig({ ...base, CHAT_KAFKA_SASL_MECHANISM: "PLAIN", CHAT_KAFKA_PASSWORD: "hunter2-secret" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/CHAT_KAFKA_USERNAME/);
    expect(message).not.toContain("hunter2");
    expect(() => loadConfig({ ...base, CHAT_KAFKA_SASL_MECHANISM: "GSSAPI" })).toThrow(
      /CHAT_KAFKA_SASL_MECHANISM/,
    );
  });
});
