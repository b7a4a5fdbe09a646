import { describe, expect, it } from "vitest";
import { AppError, ERROR_CATALOG, toAckError, toProblem } from "../../src/errors.js";

describe("error catalog", () => {
  it("maps codes to statuses", () => {
    expect(new AppError("CHAT_ROOM_NOT_FOUND").status).toBe(404);
    expect(new AppError("CHAT_PAYLOAD_TOO_LARGE").status).toBe(413);
    expect(new AppError("CHAT_RATE_LIMITED").status).toBe(429);
  });

  it("every code is CHAT_-prefixed with a 4xx/5xx status", () => {
    for (const [code, e] of Object.entries(ERROR_CATALOG)) {
      expect(code).toMatch(/^CHAT_[A-Z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
      expect(e.status).toBeLessThan(600);
    }
  });

  it("renders problem+json fields", () => {
    const p = toProblem(new AppError("CHAT_ROOM_NOT_FOUND", "no such room"), "/v1/rooms/1");
    expect(p).toEqual({
      type: "https://chatcluster.dev/problems/room-not-found",
      title: "Room not found",
      status: 404,
      code: "CHAT_ROOM_NOT_FOUND",
      detail: "no such room",
      instance: "/v1/rooms/1",
    });
  });

  it("hides everything about unknown errors", () => {
    const err = Object.assign(new Error("ER_PARSE_ERROR near 'SELECT * FROM users'"), { sql: "SELECT 1" });
    const p = toProblem(err);
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toMatch(/SELECT|ER_PARSE|stack/);
    expect(toAckError(err)).toEqual({
      ok: false,
      error: { code: "CHAT_INTERNAL", status: 500, detail: "Internal error" },
    });
  });

  it("turns backend outages into a retryable 503 without detail", () => {
    const down = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:13310"), { code: "ECONNREFUSED" });
    expect(toProblem(down)).toMatchObject({ status: 503, code: "CHAT_BACKEND_UNAVAILABLE" });
    expect(JSON.stringify(toProblem(down))).not.toContain("13310");
    expect(toProblem(new Error("Connection is closed.")).status).toBe(503);
  });
});
