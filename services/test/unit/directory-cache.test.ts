import { describe, expect, it } from "vitest";
import { DirectoryCache, parseEpochNotice } from "../../src/sharding/cache.js";
import { pickLeastLoaded } from "../../src/sharding/directory.js";

const route = (roomId: number, epoch = 1) => ({ roomId, shardId: 0, epoch, state: "active" });

describe("directory cache", () => {
  it("drops an entry on a newer epoch and keeps it on an older one", () => {
    const c = new DirectoryCache();
    c.set(route(1, 3));
    expect(c.onEpochChange(1, 2)).toBe(false);
    expect(c.get(1)?.epoch).toBe(3);
    expect(c.onEpochChange(1, 4)).toBe(true);
    expect(c.get(1)).toBeUndefined();
  });
  it("epoch 0 (deletion) always drops", () => {
    const c = new DirectoryCache();
    c.set(route(1, 5));
    expect(c.onEpochChange(1, 0)).toBe(true);
  });
  it("is bounded, evicting the least recently set", () => {
    const c = new DirectoryCache(2);
    c.set(route(1));
    c.set(route(2));
    c.set(route(1));
    c.set(route(3));
    expect(c.get(2)).toBeUndefined();
    expect(c.get(1)).toBeDefined();
    expect(c.size).toBe(2);
  });
  it("ignores malformed notices", () => {
    expect(parseEpochNotice("{")).toBeNull();
    expect(parseEpochNotice('{"roomId":"1","epoch":2}')).toBeNull();
    expect(parseEpochNotice('{"roomId":1,"epoch":2}')).toEqual({ roomId: 1, epoch: 2 });
  });
  it("places new rooms on the least-loaded shard, ties to the lowest id", () => {
    expect(
      pickLeastLoaded([
        { shardId: 0, state: "active", rooms: 5 },
        { shardId: 1, state: "active", rooms: 3 },
        { shardId: 2, state: "active", rooms: 3 },
      ]),
    ).toBe(1);
    expect(pickLeastLoaded([])).toBeUndefined();
  });
});
