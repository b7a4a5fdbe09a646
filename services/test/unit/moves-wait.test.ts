import { describe, expect, it } from "vitest";
import type { RoomDirectory, RoomRoute } from "../../src/sharding/directory.js";
import { MoveWaiter } from "../../src/sharding/move-wait.js";

/** A directory whose room state the test sets; notices are fired by hand. */
function fakeDirectory(initial: RoomRoute) {
  let route: RoomRoute | null = initial;
  let lookups = 0;
  const wakers = new Set<() => void>();
  const dir = {
    nextNotice: (_roomId: number, ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        function done() {
          clearTimeout(t);
          wakers.delete(done);
          resolve();
        }
        wakers.add(done);
      }),
    lookup: async () => {
      lookups++;
      return route;
    },
  } as unknown as RoomDirectory;
  return {
    dir,
    set(r: RoomRoute | null) {
      route = r;
    },
    notice() {
      for (const w of [...wakers]) w();
    },
    get lookups() {
      return lookups;
    },
  };
}

const moving: RoomRoute = { roomId: 1, shardId: 0, epoch: 2, state: "moving" };
const flipped: RoomRoute = { roomId: 1, shardId: 1, epoch: 3, state: "active" };

describe("waiting out a room move's fence", () => {
  it("hands every waiter the active route once the directory flips, woken by the notice", async () => {
    const d = fakeDirectory(moving);
    const w = new MoveWaiter(d.dir, 10_000);
    const waits = Array.from({ length: 20 }, () => w.wait(1, 5000));
    await new Promise((r) => setTimeout(r, 20));
    d.set(flipped);
    const t0 = Date.now();
    d.notice();
    expect(await Promise.all(waits)).toEqual(Array(20).fill(flipped));
    // Woken by the notice, not by the (10 s) poll; one poller for all twenty writers.
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(d.lookups).toBe(1);
  });

  it("polls when no notice comes, and gives up at the bound", async () => {
    const d = fakeDirectory(moving);
    const w = new MoveWaiter(d.dir, 5);
    expect(await w.wait(1, 60)).toBeUndefined();
    expect(d.lookups).toBeGreaterThan(2);
    const later = w.wait(1, 2000);
    setTimeout(() => d.set(flipped), 30);
    expect(await later).toEqual(flipped);
  });

  it("answers null when the room disappeared", async () => {
    const d = fakeDirectory(moving);
    const w = new MoveWaiter(d.dir, 5);
    const p = w.wait(1, 2000);
    d.set(null);
    expect(await p).toBeNull();
  });
});
