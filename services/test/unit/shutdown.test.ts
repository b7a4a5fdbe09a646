import { describe, expect, it } from "vitest";
import { TokenService } from "../../src/accounts/tokens.js";
import { AppError } from "../../src/errors.js";
import { silentLogger } from "../../src/log.js";
import { installShutdown } from "../../src/shutdown.js";

describe("graceful shutdown path", () => {
  it("exits 0 when stop finishes in time, once, however many signals arrive", async () => {
    const exits: number[] = [];
    let stops = 0;
    const shutdown = installShutdown(
      async () => {
        stops++;
      },
      { deadlineMs: 1000, log: silentLogger(), exit: (c) => exits.push(c), signals: [] },
    );
    await Promise.all([shutdown("SIGTERM"), shutdown("SIGINT")]);
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });

  it("exits 1 at the hard deadline when stop hangs", async () => {
    const exits: number[] = [];
    const started = Date.now();
    const shutdown = installShutdown(() => new Promise<void>(() => {}), {
      deadlineMs: 150,
      log: silentLogger(),
      exit: (c) => exits.push(c),
      signals: [],
    });
    expect(await shutdown("SIGTERM")).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(exits).toEqual([1]);
  });

  it("exits with at least the requested code (uncaught exceptions exit 1 after draining)", async () => {
    const exits: number[] = [];
    const shutdown = installShutdown(async () => {}, {
      deadlineMs: 1000,
      log: silentLogger(),
      exit: (c) => exits.push(c),
      signals: [],
    });
    expect(await shutdown("uncaughtException", 1)).toBe(1);
    expect(exits).toEqual([1]);
  });

  it("exits 1 when stop fails", async () => {
    const exits: number[] = [];
    const shutdown = installShutdown(() => Promise.reject(new Error("pool end failed")), {
      deadlineMs: 1000,
      log: silentLogger(),
      exit: (c) => exits.push(c),
      signals: [],
    });
    expect(await shutdown("SIGTERM")).toBe(1);
  });
});

describe("access tokens", () => {
  it("round-trips claims and rejects tampering, other keys and expiry alike", async () => {
    const t = new TokenService("k".repeat(40), 900);
    const tok = await t.signAccess({ userId: 12, username: "amy" });
    expect(await t.verifyAccess(tok)).toEqual({ userId: 12, username: "amy" });
    const other = new TokenService("j".repeat(40), 900);
    await expect(other.verifyAccess(tok)).rejects.toBeInstanceOf(AppError);
    await expect(t.verifyAccess(`${tok.slice(0, -2)}xx`)).rejects.toMatchObject({
      code: "CHAT_UNAUTHENTICATED",
    });
    // alg=none tokens are refused
    const [, payload] = tok.split(".");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    await expect(t.verifyAccess(none)).rejects.toMatchObject({ status: 401 });
    const expired = new TokenService("k".repeat(40), -10 as number);
    const old = await expired.signAccess({ userId: 1, username: "x" });
    await expect(t.verifyAccess(old)).rejects.toMatchObject({ message: "the access token has expired" });
  });
});
