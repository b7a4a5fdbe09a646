import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { isBackendUnavailable, isLockConflict, isTransient } from "../../src/transient.js";

const coded = (code: string) => Object.assign(new Error(code), { code });

describe("transient-error classifier", () => {
  it("backends that are down are unavailable and transient", () => {
    for (const c of [
      "ECONNREFUSED",
      "ECONNRESET",
      "EPIPE",
      "PROTOCOL_CONNECTION_LOST",
      "ER_SERVER_SHUTDOWN",
    ]) {
      expect(isBackendUnavailable(coded(c)), c).toBe(true);
      expect(isTransient(coded(c)), c).toBe(true);
    }
    const ioredis = Object.assign(new Error("Reached the max retries per request limit"), {
      name: "MaxRetriesPerRequestError",
    });
    expect(isBackendUnavailable(ioredis)).toBe(true);
    expect(isBackendUnavailable(new Error("Connection is closed."))).toBe(true);
  });

  it("lock conflicts are transient but not unavailability", () => {
    for (const c of ["ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT"]) {
      expect(isLockConflict(coded(c))).toBe(true);
      expect(isTransient(coded(c))).toBe(true);
      expect(isBackendUnavailable(coded(c))).toBe(false);
    }
  });

  it("every 503 of the catalog is transient, every other AppError and bug is not", () => {
    expect(isTransient(new AppError("CHAT_ROOM_MOVING"))).toBe(true);
    expect(isTransient(new AppError("CHAT_BACKEND_UNAVAILABLE"))).toBe(true);
    expect(isTransient(new AppError("CHAT_OVERLOADED"))).toBe(true);
    expect(isTransient(new AppError("CHAT_NOT_A_MEMBER"))).toBe(false);
    expect(isTransient(coded("ER_DUP_ENTRY"))).toBe(false);
    expect(isTransient(new TypeError("x is undefined"))).toBe(false);
    expect(isTransient(null)).toBe(false);
  });
});
