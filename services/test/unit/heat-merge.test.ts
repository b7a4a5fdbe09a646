// Cluster-wide heat: summing instances' snapshots (pure merge) keeps the trackers' bounds.
import { describe, expect, it } from "vitest";
import { type InstanceHeat, InstanceHeatSchema, instanceHeat, mergeHeat } from "../../src/heat/merge.js";
import { HeatTracker } from "../../src/heat/tracker.js";

const H = 60_000;
const LN2 = Math.LN2;
/** msgs/s of n messages counted just now, as a tracker with half-life H reports it. */
const rateOf = (n: number) => (n * LN2 * 1000) / H;

function snap(instanceId: string, at: number, shards: InstanceHeat["shards"]): InstanceHeat {
  return { v: 1, instanceId, halfLifeMs: H, at, shards };
}

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("mergeHeat", () => {
  it("sums shard and room rates over instances, ranks rooms and counts instances", () => {
    const view = mergeHeat(
      [
        snap("a", 0, [
          {
            shardId: 1,
            rate: 10,
            untrackedRate: 0,
            rooms: [
              { roomId: 5, rate: 6, rateError: 0 },
              { roomId: 6, rate: 4, rateError: 0 },
            ],
          },
        ]),
        snap("b", 0, [
          { shardId: 1, rate: 8, untrackedRate: 0, rooms: [{ roomId: 6, rate: 8, rateError: 0 }] },
          { shardId: 0, rate: 2, untrackedRate: 0, rooms: [{ roomId: 9, rate: 2, rateError: 0 }] },
        ]),
      ],
      0,
      10,
    );
    expect(view.instances).toBe(2);
    expect(view.shards.map((s) => s.shardId)).toEqual([0, 1]);
    const s1 = view.shards[1];
    expect(s1?.rate).toBe(18);
    expect(s1?.trackedRooms).toBe(2);
    expect(s1?.rooms).toEqual([
      { roomId: 6, rate: 12, share: 12 / 18, rateError: 0 },
      { roomId: 5, rate: 6, share: 6 / 18, rateError: 0 },
    ]);
    expect(view.shards[0]?.rooms).toEqual([{ roomId: 9, rate: 2, share: 1, rateError: 0 }]);
    expect(mergeHeat([], 0, 10)).toEqual({ instances: 0, shards: [] });
  });

  it("adds an instance's untracked bound to rooms it does not list, as rate and as error", () => {
    const view = mergeHeat(
      [
        snap("a", 0, [
          { shardId: 1, rate: 20, untrackedRate: 0, rooms: [{ roomId: 5, rate: 9, rateError: 0.5 }] },
        ]),
        snap("b", 0, [
          { shardId: 1, rate: 30, untrackedRate: 2, rooms: [{ roomId: 7, rate: 25, rateError: 2 }] },
        ]),
      ],
      0,
      10,
    );
    const rooms = view.shards[0]?.rooms ?? [];
    // Room 7: a tracks every room it saw (no evictions), so its 0 there is exact.
    expect(rooms[0]).toMatchObject({ roomId: 7, rate: 25, rateError: 2 });
    // Room 5: b may have evicted it, so up to 2 msgs/s more.
    expect(rooms[1]).toMatchObject({ roomId: 5, rate: 11, rateError: 2.5 });
  });

  it("decays a snapshot by its age and never amplifies one from the future", () => {
    const shards = [{ shardId: 3, rate: 8, untrackedRate: 1, rooms: [{ roomId: 1, rate: 8, rateError: 1 }] }];
    const aged = mergeHeat([snap("a", 0, shards)], H, 10);
    expect(aged.shards[0]?.rate).toBeCloseTo(4, 12);
    expect(aged.shards[0]?.rooms[0]).toMatchObject({ rate: 4, rateError: 0.5 });
    const ahead = mergeHeat([snap("a", 5_000, shards)], 0, 10);
    expect(ahead.shards[0]?.rate).toBe(8);
  });

  it("keeps the first snapshot of an instance id and honours the limit", () => {
    const rooms = Array.from({ length: 5 }, (_, i) => ({ roomId: i + 1, rate: i + 1, rateError: 0 }));
    const view = mergeHeat(
      [
        snap("a", 0, [{ shardId: 1, rate: 15, untrackedRate: 0, rooms }]),
        snap("a", 0, [{ shardId: 1, rate: 99, untrackedRate: 0, rooms: [] }]),
      ],
      0,
      2,
    );
    expect(view.instances).toBe(1);
    expect(view.shards[0]?.rate).toBe(15);
    expect(view.shards[0]?.trackedRooms).toBe(5);
    expect(view.shards[0]?.rooms.map((r) => r.roomId)).toEqual([5, 4]);
    expect(
      mergeHeat([snap("a", 0, [{ shardId: 1, rate: 15, untrackedRate: 0, rooms }])], 0, 0).shards[0]?.rooms,
    ).toEqual([]);
  });

  it("bounds every merged room by the exact cluster-wide rate, with evicting trackers", () => {
    // Three instances with small tables see a skewed stream split at random: each evicts
    // rooms the others track. The merged estimate must stay within [truth, truth + error].
    let t = 0;
    const now = () => t;
    const trackers = [0, 1, 2].map(() => new HeatTracker({ halfLifeMs: H, capacity: 32, now }));
    const rand = rng(2024);
    const exact = new Map<number, number>(); // forward-decayed counts, landmark 0
    for (let i = 0; i < 60_000; i++) {
      // 8 hot rooms take half the writes; the other half spreads over 2,000 rooms.
      const room = rand() < 0.5 ? 1 + Math.floor(rand() * 8) : 100 + Math.floor(rand() * 2_000);
      const tracker = trackers[Math.floor(rand() * 3)] as HeatTracker;
      tracker.record(4, room);
      exact.set(room, (exact.get(room) ?? 0) + 2 ** (t / H));
      t += 2; // 500 msgs/s for 120 s
    }
    const snaps = trackers.map((tr, i) => instanceHeat(tr, `i${i}`, t));
    const view = mergeHeat(snaps, t, 64);
    const truth = (room: number) => ((exact.get(room) ?? 0) * 2 ** (-t / H) * LN2 * 1000) / H;
    const shard = view.shards[0];
    expect(view.instances).toBe(3);
    expect(shard?.rooms.length).toBeGreaterThan(8);
    let withError = 0;
    for (const r of shard?.rooms ?? []) {
      expect(r.rate).toBeGreaterThanOrEqual(truth(r.roomId) * (1 - 1e-9));
      expect(r.rate - r.rateError).toBeLessThanOrEqual(truth(r.roomId) * (1 + 1e-9) + 1e-9);
      if (r.rateError > 0) withError++;
    }
    expect(withError).toBeGreaterThan(0); // the bound was exercised, not trivially 0
    // The eight hot rooms lead, each within 10% of its true rate.
    const top8 = (shard?.rooms ?? []).slice(0, 8);
    expect(top8.map((r) => r.roomId).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const r of top8) expect(r.rate / truth(r.roomId)).toBeLessThan(1.1);
    // Shard rates are exact per instance, so their sum is the exact cluster rate.
    const total = [...exact.keys()].reduce((a, room) => a + truth(room), 0);
    expect((shard?.rate ?? 0) / total).toBeCloseTo(1, 9);
  });
});

describe("instanceHeat", () => {
  it("lists every tracked room with the eviction bound and survives a JSON round trip", () => {
    let t = 0;
    const tracker = new HeatTracker({ halfLifeMs: H, capacity: 4, now: () => t });
    tracker.record(2, 1, 10);
    tracker.record(2, 2, 5);
    let s = instanceHeat(tracker, "x", 1234);
    expect(s.shards).toEqual([
      {
        shardId: 2,
        rate: rateOf(15),
        untrackedRate: 0,
        rooms: [
          { roomId: 1, rate: rateOf(10), rateError: 0 },
          { roomId: 2, rate: rateOf(5), rateError: 0 },
        ],
      },
    ]);
    for (let room = 10; room < 20; room++) tracker.record(2, room);
    t = 1;
    s = instanceHeat(tracker, "x", 1235);
    expect(s.shards[0]?.untrackedRate).toBeGreaterThan(0);
    expect(s.shards[0]?.rooms.length).toBe(tracker.trackedRooms(2));
    expect(InstanceHeatSchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    expect(() => InstanceHeatSchema.parse({ ...s, v: 2 })).toThrow();
  });
});
