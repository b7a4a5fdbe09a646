// Proof: the local Redis is 7.x and delivers classic and sharded (SPUBLISH/SSUBSCRIBE) pub/sub
// between connections — what @socket.io/redis-adapter needs.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, loadInfraEnv } from "./infra-env.js";

const env = loadInfraEnv();

function connect(): Redis {
  // No endless reconnect loop: a missing server must fail the test at once.
  return new Redis(env.redisUrl, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
}

describe("redis", () => {
  let pub: Redis;
  let sub: Redis;
  const suffix = randomBytes(4).toString("hex");

  beforeAll(async () => {
    pub = connect();
    sub = connect();
    await Promise.all([pub.connect(), sub.connect()]);
  });
  afterAll(async () => {
    await Promise.all([pub?.quit(), sub?.quit()]);
  });

  it("is Redis 7 or newer", async () => {
    const info = await pub.info("server");
    const major = Number(/redis_version:(\d+)/.exec(info)?.[1]);
    expect(major).toBeGreaterThanOrEqual(7);
    expect(await pub.ping()).toBe("PONG");
  });

  it("delivers PUBLISH to a SUBSCRIBE on another connection, in order", async () => {
    const channel = `proof:chan:${suffix}`;
    const got: string[] = [];
    sub.on("message", (ch: string, msg: string) => {
      if (ch === channel) got.push(msg);
    });
    await sub.subscribe(channel);
    const sent = ["안녕하세요", "two", "three"];
    for (const m of sent) expect(await pub.publish(channel, m)).toBe(1);
    await eventually("3 messages", async () => (got.length >= sent.length ? true : undefined), 10_000, 20);
    expect(got).toEqual(sent);
    await sub.unsubscribe(channel);
  });

  it("delivers SPUBLISH to an SSUBSCRIBE on another connection (sharded pub/sub)", async () => {
    const channel = `proof:{room-${suffix}}:events`;
    const got: string[] = [];
    sub.on("smessage", (ch: string, msg: string) => {
      if (ch === channel) got.push(msg);
    });
    await sub.ssubscribe(channel);
    const sent = ["s1", "s2 안녕", "s3"];
    for (const m of sent) expect(await pub.spublish(channel, m)).toBe(1);
    await eventually(
      "3 sharded messages",
      async () => (got.length >= sent.length ? true : undefined),
      10_000,
      20,
    );
    expect(got).toEqual(sent);
    await sub.sunsubscribe(channel);
  });
});
