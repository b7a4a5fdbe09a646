import { describe, expect, it } from "vitest";
import { aggregate } from "../../src/realtime/presence.js";

describe("presence aggregation", () => {
  const now = 1_000_000;
  it("online wins over away; expired sockets count for nothing", () => {
    expect(aggregate({ a: `away|${now + 10}`, b: `online|${now + 10}` }, now).status).toBe("online");
    expect(aggregate({ a: `away|${now + 10}`, b: `online|${now - 1}` }, now)).toEqual({
      status: "away",
      expired: ["b"],
    });
    expect(aggregate({ a: `online|${now}` }, now).status).toBe("offline");
    expect(aggregate({}, now).status).toBe("offline");
  });
});
