// ClusterHeat: publishes on a period, withdraws on stop, merges its live tracker with others.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClusterHeat } from "../../src/heat/cluster.js";
import { type InstanceHeat, instanceHeat } from "../../src/heat/merge.js";
import type { HeatStore } from "../../src/heat/store.js";
import { HeatTracker } from "../../src/heat/tracker.js";
import { silentLogger } from "../../src/log.js";

/** An in-memory HeatStore that records calls and can be made to fail. */
function memoryStore() {
  const snaps = new Map<string, { snap: InstanceHeat; ttlMs: number }>();
  const calls: string[] = [];
  let failing = false;
  const store: HeatStore = {
    async publish(snap, ttlMs) {
      calls.push(`publish ${snap.instanceId}`);
      if (failing) throw new Error("Connection is closed.");
      snaps.set(snap.instanceId, { snap, ttlMs });
    },
    async readAll() {
      return [...snaps.values()].map((s) => s.snap);
    },
    async remove(id) {
      calls.push(`remove ${id}`);
      snaps.delete(id);
    },
  };
  return { store, snaps, calls, fail: (f: boolean) => (failing = f) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ClusterHeat", () => {
  it("publishes at once and every period with a TTL of three periods, and withdraws on stop", async () => {
    vi.useFakeTimers();
    const m = memoryStore();
    const tracker = new HeatTracker();
    tracker.record(0, 1, 3);
    const c = new ClusterHeat({
      tracker,
      store: m.store,
      instanceId: "me",
      publishIntervalMs: 2000,
      log: silentLogger(),
    });
    c.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(m.calls).toEqual(["publish me"]);
    expect(m.snaps.get("me")?.ttlMs).toBe(6000);
    expect(m.snaps.get("me")?.snap.shards[0]?.rooms[0]?.roomId).toBe(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(m.calls).toEqual(["publish me", "publish me", "publish me"]);
    await c.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(m.calls.at(-1)).toBe("remove me");
    expect(m.calls.filter((x) => x.startsWith("publish"))).toHaveLength(3);
    expect(m.snaps.size).toBe(0);
    await c.publishOnce(); // after stop: nothing
    expect(m.calls.at(-1)).toBe("remove me");
  });

  it("survives publish failures and publishes again when the store is back", async () => {
    const m = memoryStore();
    const c = new ClusterHeat({
      tracker: new HeatTracker(),
      store: m.store,
      instanceId: "me",
      publishIntervalMs: 1000,
      log: silentLogger(),
    });
    m.fail(true);
    await expect(c.publishOnce()).resolves.toBeUndefined();
    expect(m.snaps.size).toBe(0);
    m.fail(false);
    await c.publishOnce();
    expect(m.snaps.has("me")).toBe(true);
  });

  it("uses its live tracker, not its own published snapshot, and adds the others", async () => {
    let wall = 1_000_000;
    const m = memoryStore();
    const tracker = new HeatTracker({ now: () => 0 });
    const c = new ClusterHeat({
      tracker,
      store: m.store,
      instanceId: "me",
      publishIntervalMs: 1000,
      log: silentLogger(),
      now: () => wall,
    });
    await c.publishOnce(); // published while empty
    tracker.record(1, 7, 10);
    const other = new HeatTracker({ now: () => 0 });
    other.record(1, 7, 30);
    m.snaps.set("b", { snap: instanceHeat(other, "b", wall), ttlMs: 3000 });
    const view = await c.view(5);
    expect(view.instances).toBe(2);
    expect(view.shards[0]?.rooms[0]?.roomId).toBe(7);
    expect(view.shards[0]?.rate).toBeCloseTo(tracker.shardRate(1) * 4, 12);
    wall += 60_000; // b's snapshot is now one half-life old; the live tracker's clock did not move
    expect((await c.view(5)).shards[0]?.rate).toBeCloseTo(tracker.shardRate(1) * 2.5, 12);
  });
});
